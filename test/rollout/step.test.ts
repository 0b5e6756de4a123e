import { describe, expect, it } from 'vitest';
import { UsageError } from '../../bin/cli/errors.ts';
import { parseDuration, parsePlan } from '../../bin/cli/rollout.ts';
import { type FlagPorts, rollBackFlag, savedValue } from '../../lambda/rollout/application/flag.ts';
import { runRolloutStep, stepOutcome } from '../../lambda/rollout/application/rollout.ts';
import { DEFAULT_BAKE_MS } from '../../lambda/rollout/constants.ts';
import type { AlarmState, RolloutPlan } from '../../lambda/rollout/domain/rollout.ts';
import {
  NothingToRestoreError,
  RaiseRefusedError,
  RolloutConflictError,
  RolloutPlanError,
  StopConditionMissingError,
} from '../../lambda/rollout/errors.ts';
import { MemoryRollout } from './memory-rollout.ts';

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
    // Prepare
    const store = new MemoryRollout('off');

    // Act
    const first = await runRolloutStep(store.ports(), { plan }, T0);
    store.fire('ErrorRate', 'error rate 0.2%');
    const second = await runRolloutStep(store.ports(), first, T0 + SECOND);

    // Assess
    expect(first.status).toBe('raised');
    expect(second.status).toBe('rolled_back');
    expect(second.stopCondition).toBe('ErrorRate');
    expect(store.flag).toBe('off');
    expect(store.previous).toBe('10');
  });

  it('refuses to start while another rollout runs, or with an invalid plan', async () => {
    const store = new MemoryRollout('off');
    store.otherRollouts = ['arn:other'];
    await expect(runRolloutStep(store.ports(), { plan }, T0)).rejects.toBeInstanceOf(RolloutConflictError);
    store.otherRollouts = [];
    await expect(
      runRolloutStep(store.ports(), { plan: { steps: [50, 10], waitsMs: [0, 0] } }, T0),
    ).rejects.toBeInstanceOf(RolloutPlanError);
  });

  it('refuses to start while a stop condition is in ALARM, naming it, and leaves the flag as it is', async () => {
    const store = new MemoryRollout('5');
    store.fire('PaymentsDown', 'webhook errors', 'tournament-operations');

    const start = runRolloutStep(store.ports(), { plan }, T0);

    await expect(start).rejects.toBeInstanceOf(RaiseRefusedError);
    await expect(start).rejects.toThrow(/PaymentsDown \(tournament-operations\): webhook errors/);
    expect(store.flag).toBe('5');
  });

  it('refuses to start when a platform alarm the stop conditions name does not exist, naming it', async () => {
    const store = new MemoryRollout('off');
    store.missing = [{ name: 'PaymentsDwn', namedBy: 'Stack-StopConditions-TournamentOperations' }];

    const start = runRolloutStep(store.ports(), { plan }, T0);

    await expect(start).rejects.toBeInstanceOf(StopConditionMissingError);
    await expect(start).rejects.toThrow(/PaymentsDwn \(named by Stack-StopConditions-TournamentOperations\)/);
    expect(store.flag).toBe('off');
  });

  it('holds a raise, saying why, while the audit is not running or a stop condition alarm is missing', async () => {
    // Prepare: step 1 raised at T0 and held; then the audit stops.
    const store = new MemoryRollout('off');
    const first = await runRolloutStep(store.ports(), { plan, sliceSeconds: 30 }, T0);
    store.blockers = ['the scheduled audit is not running (Stack-AuditNotRunning is in ALARM)'];

    // Act
    const held = await runRolloutStep(store.ports(), first, T0 + 61 * SECOND);

    // Assess: no rollback, no raise; the reason names the audit.
    expect(held).toMatchObject({ status: 'waiting', flag: '10', waitSeconds: 30 });
    expect(held.waitReason).toMatch(/AuditNotRunning/);
    expect(store.flag).toBe('10');
  });

  it('arms the stop conditions from the first step until the bake time after the last hold', async () => {
    const store = new MemoryRollout('off');

    await runRolloutStep(store.ports(), { plan: { ...plan, bakeMs: 5 * SECOND } }, T0);

    const planned = plan.waitsMs.reduce((a, b) => a + b, 0);
    expect(store.arming.armedUntil).toBe(T0 + planned + 5 * SECOND);
    expect(store.arming.pendingRaise).toBeUndefined();
    const byDefault = new MemoryRollout('off');
    await runRolloutStep(byDefault.ports(), { plan }, T0);
    expect(byDefault.arming.armedUntil).toBe(T0 + planned + DEFAULT_BAKE_MS);
  });

  it('gates a held step on included events, not on every event handled', async () => {
    // Prepare: the hold is over; 999 included events since the raise.
    const store = new MemoryRollout('off');
    const first = await runRolloutStep(store.ports(), { plan, sliceSeconds: 30 }, T0);
    store.included = 999;

    // Act
    const quiet = await runRolloutStep(store.ports(), first, T0 + 61 * SECOND, { minEventsPerStep: 1000 });

    // Assess
    expect(quiet.status).toBe('waiting');
    expect(quiet.waitReason).toMatch(/999 of 1000 events/);
  });
});

describe('rollback and restore of the flag', () => {
  it('a second rollback keeps the value the first one saved', async () => {
    const flag = memoryFlag('25');
    expect(await rollBackFlag(flag)).toBe('25');
    expect(await rollBackFlag(flag)).toBeUndefined();
    expect(flag).toMatchObject({ flag: 'off', previous: '25' });
    expect(await savedValue(flag)).toBe('25');
  });

  it('saves the pre-incident value given, and nothing when that value was off', async () => {
    const raised = memoryFlag('50', '10');
    expect(await rollBackFlag(raised, '25')).toBe('25');
    expect(raised).toMatchObject({ flag: 'off', previous: '25' });
    const fromOff = memoryFlag('10', '25');
    expect(await rollBackFlag(fromOff, 'off')).toBeUndefined();
    expect(fromOff).toMatchObject({ flag: 'off', previous: '25' });
  });

  it('restore refuses when no rollback saved a value', async () => {
    await expect(savedValue(memoryFlag('off', 'none'))).rejects.toBeInstanceOf(NothingToRestoreError);
    await expect(savedValue(memoryFlag('off'))).rejects.toBeInstanceOf(NothingToRestoreError);
  });
});

describe('rollout plan on the command line', () => {
  it('reads durations and one wait per step, or one wait for all', () => {
    expect(parseDuration('30s', '--wait')).toBe(30_000);
    expect(parseDuration('2h', '--wait')).toBe(7_200_000);
    expect(parsePlan('10,50', '1d,5m')).toEqual({
      steps: [10, 50],
      waitsMs: [86_400_000, 300_000],
      bakeMs: DEFAULT_BAKE_MS,
    });
    expect(parsePlan('10,50,100', '2s', '3s')).toEqual({
      steps: [10, 50, 100],
      waitsMs: [2000, 2000, 2000],
      bakeMs: 3000,
    });
    expect(parsePlan(undefined, undefined).steps).toEqual([10, 25, 50, 100]);
  });

  it('rejects what is not a plan', () => {
    expect(() => parseDuration('1 week', '--wait')).toThrow(UsageError);
    expect(() => parsePlan('50,10', '1s')).toThrow(/steps must rise/);
    expect(() => parsePlan('10,50', '1s,1s,1s')).toThrow(/one wait per step/);
  });
});
