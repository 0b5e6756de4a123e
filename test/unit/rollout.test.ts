import { describe, expect, it } from 'vitest';
import {
  type AlarmState,
  DEFAULT_PLAN,
  decide,
  flagValueFor,
  type RolloutPlan,
  validatePlan,
} from '../../lambda/rollout/domain/rollout.ts';

const plan: RolloutPlan = { steps: [10, 25, 50, 100], waitsMs: [1000, 2000, 2000, 2000] };
const ok: AlarmState[] = [
  { name: 'RecordingErrorRate', state: 'OK' },
  { name: 'DeadLetters', state: 'INSUFFICIENT_DATA' },
];

describe('the rollout decision', () => {
  it('raises to the first step when nothing has been written yet', () => {
    expect(decide(plan, { stepIndex: -1 }, { now: 0, alarms: ok, currentFlag: 'off' })).toEqual({
      action: 'raise',
      stepIndex: 0,
      percentage: 10,
      flagValue: '10',
    });
  });

  it('holds a step until its wait is over', () => {
    const state = { stepIndex: 0, raisedAt: 5000, lastWritten: '10' };
    expect(decide(plan, state, { now: 5999, alarms: ok, currentFlag: '10' })).toEqual({
      action: 'wait',
      until: 6000,
    });
  });

  it('advances to the next step after the wait', () => {
    const state = { stepIndex: 1, raisedAt: 0, lastWritten: '25' };
    expect(decide(plan, state, { now: 2000, alarms: ok, currentFlag: '25' })).toMatchObject({
      action: 'raise',
      percentage: 50,
    });
  });

  it('writes "on" for 100%', () => {
    const state = { stepIndex: 2, raisedAt: 0, lastWritten: '50' };
    expect(decide(plan, state, { now: 2000, alarms: ok, currentFlag: '50' })).toMatchObject({
      action: 'raise',
      flagValue: 'on',
    });
    expect(flagValueFor(100)).toBe('on');
  });

  it('finishes after holding the last step', () => {
    const state = { stepIndex: 3, raisedAt: 0, lastWritten: 'on' };
    expect(decide(plan, state, { now: 1999, alarms: ok, currentFlag: 'on' }).action).toBe('wait');
    expect(decide(plan, state, { now: 2000, alarms: ok, currentFlag: 'on' })).toEqual({ action: 'finish' });
  });

  it.each(['RecordingErrorRate', 'DeadLetters', 'IdempotencyConflicts', 'IteratorAge', 'Throttles'])(
    'rolls back when %s is in ALARM, before a raise and during a wait',
    (name) => {
      const alarms: AlarmState[] = [
        ...ok.filter((a) => a.name !== name),
        { name, state: 'ALARM', reason: 'threshold crossed' },
      ];
      expect(decide(plan, { stepIndex: -1 }, { now: 0, alarms, currentFlag: 'off' })).toEqual({
        action: 'rollback',
        stopCondition: name,
        reason: 'threshold crossed',
      });
      expect(
        decide(plan, { stepIndex: 1, raisedAt: 0, lastWritten: '25' }, { now: 1, alarms, currentFlag: '25' }),
      ).toMatchObject({
        action: 'rollback',
        stopCondition: name,
      });
    },
  );

  it('rolls back on an alarm even when the flag was also changed by hand', () => {
    const alarms: AlarmState[] = [{ name: 'DeadLetters', state: 'ALARM' }];
    expect(
      decide(plan, { stepIndex: 0, raisedAt: 0, lastWritten: '10' }, { now: 0, alarms, currentFlag: 'on' })
        .action,
    ).toBe('rollback');
  });

  it('stops when an operator changed the flag by hand (the operator wins)', () => {
    const decision = decide(
      plan,
      { stepIndex: 1, raisedAt: 0, lastWritten: '25' },
      { now: 9999, alarms: ok, currentFlag: 'off' },
    );
    expect(decision).toMatchObject({ action: 'stop' });
    expect(decision.action === 'stop' && decision.reason).toMatch(/"off".*"25"/);
  });

  it('does not mistake its own value for a manual change', () => {
    expect(
      decide(
        plan,
        { stepIndex: 3, raisedAt: 0, lastWritten: 'on' },
        { now: 0, alarms: ok, currentFlag: 'ON ' },
      ).action,
    ).toBe('wait');
  });
});

describe('rollout plans', () => {
  it('defaults to 10, 25, 50, 100 with one, two, two and two days', () => {
    expect(DEFAULT_PLAN.steps).toEqual([10, 25, 50, 100]);
    expect(DEFAULT_PLAN.waitsMs.map((ms) => ms / 86_400_000)).toEqual([1, 2, 2, 2]);
    expect(validatePlan(DEFAULT_PLAN)).toEqual([]);
  });

  it('explains what is wrong with a plan', () => {
    expect(validatePlan({ steps: [10, 5, 150], waitsMs: [1] }).join('\n')).toMatch(
      /3 steps but 1 waits[\s\S]*must rise[\s\S]*1 to 100/,
    );
  });
});
