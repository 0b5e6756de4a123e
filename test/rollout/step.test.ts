import { describe, expect, it } from 'vitest';
import { UsageError } from '../../bin/cli/errors.ts';
import { parseDuration, parsePlan } from '../../bin/cli/rollout.ts';
import {
  type FlagPorts,
  restoreFlag,
  rollBackFlag,
  runRolloutStep,
  stepOutcome,
} from '../../lambda/rollout/application/rollout.ts';
import type { AlarmState, RolloutPlan } from '../../lambda/rollout/domain/rollout.ts';
import {
  NothingToRestoreError,
  RolloutConflictError,
  RolloutPlanError,
} from '../../lambda/rollout/errors.ts';
import {
  type DeliveryCounters,
  LOCAL_STOP_CONDITIONS,
  localStopConditions,
  zeroCounters,
} from '../../local/stop-conditions.ts';

const SECOND = 1000;
const plan: RolloutPlan = { steps: [10, 50, 100], waitsMs: [60 * SECOND, 600 * SECOND, 60 * SECOND] };
const T0 = Date.parse('2026-05-01T12:00:00Z');
const ok: AlarmState[] = [{ name: 'errors', state: 'OK' }];
const firing: AlarmState[] = [{ name: 'errors', state: 'ALARM', reason: '3 errors in 5 minutes' }];

/** An in-memory flag and saved value. */
function memoryFlag(
  flag: string | undefined,
  previous?: string,
): FlagPorts & { flag?: string; previous?: string } {
  const store: { flag?: string; previous?: string } = {};
  if (flag !== undefined) store.flag = flag;
  if (previous !== undefined) store.previous = previous;
  return Object.assign(store, {
    readFlag: async () => store.flag,
    writeFlag: async (value: string) => {
      store.flag = value;
    },
    readPrevious: async () => store.previous,
    savePrevious: async (value: string) => {
      store.previous = value;
    },
  });
}

describe('stepOutcome: decide() mapped to the state machine output', () => {
  it('a raise writes the new state and holds for at most one slice', () => {
    const out = stepOutcome(
      { plan, sliceSeconds: 300 },
      { action: 'raise', stepIndex: 1, percentage: 50, flagValue: '50' },
      { now: T0, alarms: ok, flagBefore: '10' },
    );
    expect(out).toMatchObject({
      status: 'raised',
      state: { stepIndex: 1, raisedAt: T0, lastWritten: '50' },
      percentage: 50,
      flag: '50',
      waitSeconds: 300,
      nextRaiseAt: new Date(T0 + 600 * SECOND).toISOString(),
    });
  });

  it('a wait never lasts longer than the remaining hold, and at least a second', () => {
    const state = { stepIndex: 0, raisedAt: T0, lastWritten: '10' };
    const wait = (until: number) =>
      stepOutcome(
        { plan, state, sliceSeconds: 300 },
        { action: 'wait', until },
        { now: T0, alarms: ok, flagBefore: '10' },
      );
    expect(wait(T0 + 42 * SECOND)).toMatchObject({ status: 'waiting', waitSeconds: 42, percentage: 10 });
    expect(wait(T0 + 10_000 * SECOND).waitSeconds).toBe(300);
    expect(wait(T0 + 1).waitSeconds).toBe(1);
  });

  it('a rollback ends in an error whose cause names the alarm and says how to restore', () => {
    const out = stepOutcome(
      { plan, state: { stepIndex: 1, raisedAt: T0, lastWritten: '50' } },
      { action: 'rollback', stopCondition: 'errors', reason: '3 errors in 5 minutes' },
      { now: T0, alarms: firing, flagBefore: '50', previousSaved: '50' },
    );
    expect(out).toMatchObject({
      status: 'rolled_back',
      stopCondition: 'errors',
      error: 'RolloutRolledBack',
      flag: 'off',
    });
    expect(out.waitSeconds).toBe(0);
    expect(out.cause).toContain('stop condition errors: 3 errors in 5 minutes');
    expect(out.cause).toContain('tpi flag restore');
  });

  it('a manual change stops with the reason, and the end of the plan finishes', () => {
    const state = { stepIndex: 2, raisedAt: T0, lastWritten: 'on' };
    const stop = stepOutcome(
      { plan, state },
      { action: 'stop', reason: 'the operator wins' },
      { now: T0, alarms: ok, flagBefore: '5' },
    );
    expect(stop).toMatchObject({ status: 'stopped', error: 'RolloutStopped' });
    expect(stop.cause).toContain('the operator wins');
    expect(
      stepOutcome({ plan, state }, { action: 'finish' }, { now: T0, alarms: ok, flagBefore: 'on' }),
    ).toMatchObject({
      status: 'finished',
      waitSeconds: 0,
    });
  });
});

describe('runRolloutStep', () => {
  it('raises the flag on the first step and rolls back to off, saving the value, when an alarm fires', async () => {
    const flag = memoryFlag('off');
    let alarms = ok;
    const ports = { ...flag, readAlarms: async () => alarms };
    const first = await runRolloutStep(ports, { plan }, T0);
    expect(first.status).toBe('raised');
    expect(flag.flag).toBe('10');
    alarms = firing;
    const second = await runRolloutStep(ports, first, T0 + SECOND);
    expect(second.status).toBe('rolled_back');
    expect(flag).toMatchObject({ flag: 'off', previous: '10' });
  });

  it('refuses to start while another rollout runs, or with an invalid plan', async () => {
    const ports = {
      ...memoryFlag('off'),
      readAlarms: async () => ok,
      otherRollouts: async () => ['arn:other'],
    };
    await expect(runRolloutStep(ports, { plan }, T0)).rejects.toBeInstanceOf(RolloutConflictError);
    const alone = { ...ports, otherRollouts: async () => [] };
    await expect(
      runRolloutStep(alone, { plan: { steps: [50, 10], waitsMs: [0, 0] } }, T0),
    ).rejects.toBeInstanceOf(RolloutPlanError);
  });
});

describe('rollback and restore of the flag', () => {
  it('a second rollback keeps the value the first one saved', async () => {
    const flag = memoryFlag('25');
    expect(await rollBackFlag(flag)).toBe('25');
    expect(await rollBackFlag(flag)).toBeUndefined();
    expect(flag).toMatchObject({ flag: 'off', previous: '25' });
    expect(await restoreFlag(flag)).toBe('25');
    expect(flag.flag).toBe('25');
  });

  it('restore refuses when no rollback saved a value', async () => {
    await expect(restoreFlag(memoryFlag('off', 'none'))).rejects.toBeInstanceOf(NothingToRestoreError);
    await expect(restoreFlag(memoryFlag('off'))).rejects.toBeInstanceOf(NothingToRestoreError);
  });
});

describe('local stop conditions', () => {
  const at = (now: Partial<DeliveryCounters>, since: Partial<DeliveryCounters> = {}) =>
    localStopConditions({
      since: { ...zeroCounters(), ...since },
      now: { ...zeroCounters(), ...since, ...now },
      durationsMs: [],
      outside: new Map(),
    });
  const firingNames = (now: Partial<DeliveryCounters>) =>
    at(now)
      .filter((a) => a.state === 'ALARM')
      .map((a) => a.name);

  it('trip on integration errors above 0.1% of at least 200 events handled, any dead letter, any conflict', () => {
    expect(firingNames({ deliveries: 1000, errors: 1 })).toEqual([]);
    expect(firingNames({ deliveries: 1000, errors: 1, statisticsFailures: 1 })).toEqual([
      LOCAL_STOP_CONDITIONS.errorRate,
    ]);
    // Below the minimum sample, one error is not a rate.
    expect(firingNames({ deliveries: 50, errors: 1 })).toEqual([]);
    expect(firingNames({ deliveries: 5, deadLetters: 1, conflicts: 1 })).toEqual([
      LOCAL_STOP_CONDITIONS.deadLetters,
      LOCAL_STOP_CONDITIONS.conflicts,
    ]);
  });

  it('count only what happened since the rollout started', () => {
    const before = { deliveries: 10, errors: 5, deadLetters: 3, conflicts: 2, duplicates: 1 };
    expect(at({ deliveries: 20 }, before).every((a) => a.state === 'OK')).toBe(true);
  });
});

describe('rollout plan on the command line', () => {
  it('reads durations and one wait per step, or one wait for all', () => {
    expect(parseDuration('30s', '--wait')).toBe(30_000);
    expect(parseDuration('2h', '--wait')).toBe(7_200_000);
    expect(parsePlan('10,50', '1d,5m')).toEqual({ steps: [10, 50], waitsMs: [86_400_000, 300_000] });
    expect(parsePlan('10,50,100', '2s')).toEqual({ steps: [10, 50, 100], waitsMs: [2000, 2000, 2000] });
    expect(parsePlan(undefined, undefined).steps).toEqual([10, 25, 50, 100]);
  });

  it('rejects what is not a plan', () => {
    expect(() => parseDuration('1 week', '--wait')).toThrow(UsageError);
    expect(() => parsePlan('50,10', '1s')).toThrow(/steps must rise/);
    expect(() => parsePlan('10,50', '1s,1s,1s')).toThrow(/one wait per step/);
  });
});
