import { describe, expect, it } from 'vitest';
import { rollBackFlag } from '../../lambda/rollout/application/flag.ts';
import { onStopConditionAlarm } from '../../lambda/rollout/application/rollback.ts';
import { type RolloutStepOutput, runRolloutStep } from '../../lambda/rollout/application/rollout.ts';
import { HISTORY_EVENTS_PER_TURN, MAX_TURNS_PER_EXECUTION } from '../../lambda/rollout/constants.ts';
import { DEFAULT_PLAN, type RolloutPlan } from '../../lambda/rollout/domain/rollout.ts';
import { MemoryRollout } from './memory-rollout.ts';

const SECOND = 1000;
const T0 = Date.parse('2026-05-01T12:00:00Z');
const plan: RolloutPlan = { steps: [10, 50, 100], waitsMs: [60 * SECOND, 60 * SECOND, 60 * SECOND] };

/** A rollout that raised its first step (10%) at T0, armed, and whose hold is over at `now`. */
function heldFirstStep(now = T0 + 61 * SECOND) {
  const store = new MemoryRollout('10');
  store.arming = { armedUntil: T0 + 3600 * SECOND };
  store.included = 5000;
  const input = {
    plan,
    sliceSeconds: 30,
    startedAt: T0,
    state: { stepIndex: 0, raisedAt: T0, lastWritten: '10' },
  };
  return { store, input, now };
}

describe('a rollback saves the value from before the incident, whatever the interleaving', () => {
  it('saves the pre-raise value when the rollback lands between the raise and the check after it', async () => {
    // Prepare: the step raises 10 → 50; right after its write, the stop condition fires and the
    // rollback function runs before the step's own check.
    const { store, input, now } = heldFirstStep();
    store.afterFlagWrite = async () => {
      store.fire('ErrorRate', 'error rate 0.2%');
      await onStopConditionAlarm(store.ports(), now);
    };

    // Act
    const out = await runRolloutStep(store.ports(), input, now);

    // Assess: off, the saved value is the pre-incident 10 (not the raised 50), rolled back.
    expect(store.flag).toBe('off');
    expect(store.previous).toBe('10');
    expect(out).toMatchObject({ status: 'rolled_back', stopCondition: 'concurrent-rollback' });
    expect(store.arming.pendingRaise).toBeUndefined();
  });

  it("saves the pre-raise value when the step's own check finds the stop condition right after the raise", async () => {
    const { store, input, now } = heldFirstStep();
    store.afterFlagWrite = async () =>
      store.fire('ActivitiesTableLatency', 'average above 100 ms', 'database-degradation');

    const out = await runRolloutStep(store.ports(), input, now);

    expect(store.flag).toBe('off');
    expect(store.previous).toBe('10');
    expect(out).toMatchObject({ status: 'rolled_back', stopCondition: 'ActivitiesTableLatency' });
  });

  it('undoes its own raise when the rollback lands between the step reading the alarms and writing the flag', async () => {
    const { store, input, now } = heldFirstStep();
    store.beforeFlagWrite = async () => {
      store.fire('ErrorRate', 'error rate 0.2%');
      await onStopConditionAlarm(store.ports(), now);
    };

    const out = await runRolloutStep(store.ports(), input, now);

    expect(store.flag).toBe('off');
    expect(store.previous).toBe('10');
    expect(out).toMatchObject({
      status: 'rolled_back',
      error: 'RolloutRolledBack',
      stopCondition: 'concurrent-rollback',
    });
  });

  it('keeps the raise, with nothing pending, when nothing happened in between', async () => {
    const { store, input, now } = heldFirstStep();

    const out = await runRolloutStep(store.ports(), input, now);

    expect(store.flag).toBe('50');
    expect(out).toMatchObject({ status: 'raised', percentage: 50 });
    expect(store.arming.pendingRaise).toBeUndefined();
    expect(store.arming.armedUntil).toBeGreaterThan(now);
  });

  it('records the raise as pending before it writes the flag', async () => {
    const { store, input, now } = heldFirstStep();
    let pendingAtWrite: unknown;
    store.beforeFlagWrite = async () => {
      pendingAtWrite = store.arming.pendingRaise;
    };

    await runRolloutStep(store.ports(), input, now);

    expect(pendingAtWrite).toEqual({ from: '10', to: '50', at: now });
  });
});

describe('a step without included traffic does not count as held', () => {
  it('keeps waiting past its time while fewer included events than the minimum were seen, then raises', async () => {
    const { store, input, now } = heldFirstStep();
    store.included = 10;

    const quiet = await runRolloutStep(store.ports(), input, now, { minEventsPerStep: 1000 });
    store.included = 1000;
    const busy = await runRolloutStep(store.ports(), quiet, now + 30 * SECOND, { minEventsPerStep: 1000 });

    expect(quiet).toMatchObject({ status: 'waiting', waitSeconds: 30, flag: '10' });
    expect(quiet.waitReason).toMatch(/10 of 1000 events handled/);
    expect(busy).toMatchObject({ status: 'raised', percentage: 50 });
    expect(store.flag).toBe('50');
  });

  it('a plan may set its own minimum; 0 means time alone', async () => {
    const { store, input, now } = heldFirstStep();
    store.included = 0;

    const out = await runRolloutStep(
      store.ports(),
      { ...input, plan: { ...plan, minEventsPerStep: 0 } },
      now,
      {
        minEventsPerStep: 1000,
      },
    );

    expect(out.status).toBe('raised');
  });
});

describe('a rollback whose first attempt fails still happens', () => {
  it('the step throws a retryable error, and the retried step rolls back with the saved value intact', async () => {
    const { store, input } = heldFirstStep();
    store.fire('ErrorRate', 'error rate 0.2%');
    store.failWritesOf = 'off';
    const now = T0 + 10 * SECOND;

    await expect(runRolloutStep(store.ports(), input, now)).rejects.toMatchObject({
      name: 'RolloutAwsError',
    });
    const retried = await runRolloutStep(store.ports(), input, now + 10 * SECOND);

    expect(retried).toMatchObject({ status: 'rolled_back', stopCondition: 'ErrorRate' });
    expect(store.flag).toBe('off');
    expect(store.previous).toBe('10');
  });

  it('the rollback function, retried by Lambda with the same alarm event, turns the flag off', async () => {
    const store = new MemoryRollout('25');
    store.failWritesOf = 'off';

    await expect(rollBackFlag(store.ports())).rejects.toThrow(/SSM refused/);
    const saved = await rollBackFlag(store.ports());

    expect(saved).toBe('25');
    expect(store.flag).toBe('off');
    expect(store.previous).toBe('25');
  });
});

describe('any plan fits the execution history', () => {
  it(`continues as a new execution after ${MAX_TURNS_PER_EXECUTION} turns, under 25,000 history events`, async () => {
    expect(MAX_TURNS_PER_EXECUTION * HISTORY_EVENTS_PER_TURN).toBeLessThan(25_000 - 100);
    const { store, input } = heldFirstStep();
    const holding = { ...input, plan: DEFAULT_PLAN, turns: MAX_TURNS_PER_EXECUTION - 1 };

    const out: RolloutStepOutput = await runRolloutStep(store.ports(), holding, T0 + 60 * SECOND);

    expect(out).toMatchObject({ status: 'waiting', continueAsNew: true, turns: 0 });
    expect(out.state).toEqual(input.state);
  });

  it('the default 7-day plan at 5-minute slices needs about 2,016 turns, about 18,100 events', () => {
    const turns = DEFAULT_PLAN.waitsMs.reduce((sum, wait) => sum + Math.ceil(wait / (300 * SECOND)), 0);
    expect(turns).toBe(2016);
    expect(turns * HISTORY_EVENTS_PER_TURN).toBe(18_144);
  });
});
