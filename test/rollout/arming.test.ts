import { describe, expect, it } from 'vitest';
import {
  armedThrough,
  flagLevel,
  isArmed,
  isRaise,
  PENDING_RAISE_TTL_MS,
  pendingRaiseOf,
  plannedEnd,
  preIncidentValue,
} from '../../lambda/rollout/domain/arming.ts';
import { forceDescription, forcedRaiseOf, reasonProblem } from '../../lambda/rollout/domain/force.ts';

const T0 = 1_000_000;
const plan = { steps: [10, 50, 100], waitsMs: [100, 200, 300], bakeMs: 1000 };

describe('arming', () => {
  it('is armed before armedUntil and pages only from then on', () => {
    expect(isArmed({ armedUntil: T0 + 1 }, T0)).toBe(true);
    expect(isArmed({ armedUntil: T0 }, T0)).toBe(false);
  });

  it('runs through the plan, a hold longer than planned included, then the bake; never shorter', () => {
    expect(plannedEnd(plan, { stepIndex: -1 }, T0)).toBe(T0 + 600);
    expect(plannedEnd(plan, { stepIndex: 1, raisedAt: T0 }, T0 + 50)).toBe(T0 + 500);
    // A hold waiting for traffic past its time ends no earlier than now.
    expect(plannedEnd(plan, { stepIndex: 2, raisedAt: T0 }, T0 + 900)).toBe(T0 + 900);
    expect(armedThrough({ armedUntil: 0 }, plan, { stepIndex: -1 }, T0).armedUntil).toBe(T0 + 1600);
    expect(armedThrough({ armedUntil: T0 + 99_999 }, plan, { stepIndex: -1 }, T0).armedUntil).toBe(
      T0 + 99_999,
    );
  });

  it('a pending raise speaks for the flag only while it holds the raised value and is recent', () => {
    const arming = { armedUntil: T0 + 10_000, pendingRaise: { from: '10', to: '50', at: T0 } };
    expect(pendingRaiseOf(arming, '50', T0 + 1)).toEqual(arming.pendingRaise);
    expect(pendingRaiseOf(arming, 'off', T0 + 1)).toBeUndefined();
    expect(pendingRaiseOf(arming, '50', T0 + PENDING_RAISE_TTL_MS + 1)).toBeUndefined();
    expect(preIncidentValue(arming, '50', T0 + 1)).toBe('10');
    expect(preIncidentValue(arming, '25', T0 + 1)).toBe('25');
  });
});

describe('raises and lowerings', () => {
  it('orders flag values by the users they let in', () => {
    expect([
      flagLevel('off'),
      flagLevel('false'),
      flagLevel('25'),
      flagLevel('on'),
      flagLevel('bogus'),
    ]).toEqual([0, 0, 25, 100, 0]);
    expect(isRaise('10', '50')).toBe(true);
    expect(isRaise('on', 'off')).toBe(false);
    expect(isRaise(undefined, '1')).toBe(true);
    expect(isRaise('50', '50')).toBe(false);
  });
});

describe('the record of a forced raise', () => {
  it('is read back for its own version only', () => {
    const description = forceDescription({ version: 7, by: 'ana smith', reason: 'INC-42: false positive' });
    expect(forcedRaiseOf(description, 7)).toEqual({
      version: 7,
      by: 'ana_smith',
      reason: 'INC-42: false positive',
    });
    expect(forcedRaiseOf(description, 8)).toBeUndefined();
    expect(forcedRaiseOf('set by the deploy', 7)).toBeUndefined();
  });

  it('needs a reason that fits in the description', () => {
    expect(reasonProblem(undefined)).toMatch(/needs --reason/);
    expect(reasonProblem('x'.repeat(501))).toMatch(/501 characters/);
    expect(reasonProblem('false positive')).toBeUndefined();
  });
});
