import { describe, expect, it } from 'vitest';
import { defaultReplayName } from '../../bin/cli/operations.ts';

describe('the default name of a tpi replay', () => {
  it('differs between two replays started in the same millisecond', () => {
    // Prepare
    const now = new Date('2026-11-26T09:36:00.123Z');

    // Act
    const names = new Set(Array.from({ length: 50 }, () => defaultReplayName(now)));

    // Assess
    expect(names.size).toBe(50);
  });

  it('is a valid EventBridge replay name and says when it started', () => {
    const name = defaultReplayName(new Date('2026-11-26T09:36:00.123Z'));

    // EventBridge: 1 to 64 characters of [.\-_A-Za-z0-9].
    expect(name).toMatch(/^[.\-_A-Za-z0-9]{1,64}$/);
    expect(name).toMatch(/^tpi-20261126093600123-/);
  });
});
