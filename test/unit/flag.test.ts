import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isUserIncluded, parseFlag, userBucket } from '../../lambda/shared/contract/flag.ts';

describe('the flag value', () => {
  it.each(['false', 'off', '0', ' OFF '])('reads %j as off', (raw) => {
    expect(parseFlag(raw)).toMatchObject({ mode: 'off', misconfigured: false });
  });
  it.each(['true', 'on', '100', 'On'])('reads %j as on for everyone', (raw) => {
    expect(parseFlag(raw).mode).toBe('on');
  });
  it.each(['1', '25', '99'])('reads %j as a percentage', (raw) => {
    expect(parseFlag(raw)).toMatchObject({ mode: 'percentage', percentage: Number(raw) });
  });
  it.each(['', 'yes', '101', '-5', '2.5', '05', '50%', 'enabled'])(
    'treats %j as off and misconfigured',
    (raw) => {
      const setting = parseFlag(raw);
      expect(setting).toMatchObject({ mode: 'off', misconfigured: true });
      expect(isUserIncluded(setting, 'any')).toBe(false);
    },
  );
});

describe('percentage bucketing', () => {
  it('puts every id in a bucket from 0 to 99', () => {
    fc.assert(fc.property(fc.string(), (id) => userBucket(id) >= 0 && userBucket(id) < 100));
  });

  it('only adds users when the percentage is raised', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.integer({ min: 1, max: 99 }),
        fc.integer({ min: 1, max: 99 }),
        (id, a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          const inLow = isUserIncluded(parseFlag(String(low)), id);
          return !inLow || isUserIncluded(parseFlag(String(high)), id);
        },
      ),
    );
  });

  it('includes roughly the chosen share of users', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);
    const included = ids.filter((id) => isUserIncluded(parseFlag('25'), id)).length;
    expect(included / ids.length).toBeGreaterThan(0.23);
    expect(included / ids.length).toBeLessThan(0.27);
  });

  it('is pinned to SHA-256 so every implementation buckets alike', () => {
    // sha256("42") starts 73475cb4 → 0x73475cb4 % 100.
    expect(userBucket('42')).toBe(0x73475cb4 % 100);
  });
});
