import { describe, expect, it } from 'vitest';
import {
  type RolloutPorts,
  type RolloutStepOutput,
  rollBackFlag,
  runRolloutStep,
} from '../../lambda/rollout/application/rollout.ts';
import { HISTORY_EVENTS_PER_TURN, MAX_TURNS_PER_EXECUTION } from '../../lambda/rollout/constants.ts';
import { type AlarmState, DEFAULT_PLAN, type RolloutPlan } from '../../lambda/rollout/domain/rollout.ts';

const SECOND = 1000;
const T0 = Date.parse('2026-05-01T12:00:00Z');
const plan: RolloutPlan = { steps: [10, 50, 100], waitsMs: [60 * SECOND, 60 * SECOND, 60 * SECOND] };
const ok: AlarmState[] = [{ name: 'errors', state: 'OK' }];

/** An SSM-like store: the flag, the saved value and its version (bumped on every save). */
class Parameters {
  flag: string | undefined;
  previous: string | undefined = 'none';
  previousVersion = 1;
  alarms: AlarmState[] = ok;
  handled = 0;
  /** Runs once, inside the step, between its reads and its write. */
  beforeWrite: (() => Promise<void>) | undefined;
  failWritesOf: string | undefined;

  constructor(flag: string) {
    this.flag = flag;
  }

  ports(): RolloutPorts {
    return {
      readFlag: async () => this.flag,
      writeFlag: async (value) => {
        const hook = this.beforeWrite;
        this.beforeWrite = undefined;
        await hook?.();
        if (this.failWritesOf === value) {
          this.failWritesOf = undefined;
          throw Object.assign(new Error(`SSM refused to write ${value}`), { name: 'RolloutAwsError' });
        }
        this.flag = value;
      },
      readPrevious: async () => this.previous,
      savePrevious: async (value) => {
        this.previous = value;
        this.previousVersion += 1;
      },
      readAlarms: async () => this.alarms,
      previousMarker: async () => String(this.previousVersion),
      handledEvents: async () => this.handled,
    };
  }
}

/** A rollout that raised its first step at T0 and whose hold is over at `now`. */
function heldFirstStep(now = T0 + 61 * SECOND) {
  const input = {
    plan,
    sliceSeconds: 30,
    startedAt: T0,
    state: { stepIndex: 0, raisedAt: T0, lastWritten: '10' },
  };
  return { input, now };
}

describe('a raise never undoes a rollback', () => {
  it('undoes its own raise when the rollback lands between the step reading the alarms and writing the flag', async () => {
    // Prepare: step 1 (10%) held; the step reads OK alarms, then the rollback function runs
    // (saves 10, turns the flag off) just before the step writes 50.
    const store = new Parameters('10');
    store.handled = 5000;
    store.beforeWrite = async () => {
      store.alarms = [{ name: 'errors', state: 'ALARM', reason: 'error rate' }];
      await rollBackFlag(store.ports());
    };
    const { input, now } = heldFirstStep();

    // Act
    const out = await runRolloutStep(store.ports(), input, now);

    // Assess: the flag is off, the saved value is the pre-incident 10, the execution ends rolled back.
    expect(store.flag).toBe('off');
    expect(store.previous).toBe('10');
    expect(out).toMatchObject({
      status: 'rolled_back',
      error: 'RolloutRolledBack',
      stopCondition: 'concurrent-rollback',
    });
  });

  it('rolls back at once when a stop condition fires right after the raise, saving the raised value', async () => {
    const store = new Parameters('10');
    store.handled = 5000;
    store.beforeWrite = async () => {
      store.alarms = [{ name: 'latency', state: 'ALARM', reason: 'p99 above 250 ms' }];
    };
    const { input, now } = heldFirstStep();

    const out = await runRolloutStep(store.ports(), input, now);

    expect(store.flag).toBe('off');
    expect(store.previous).toBe('50');
    expect(out).toMatchObject({ status: 'rolled_back', stopCondition: 'latency' });
  });

  it('keeps the raise when nothing happened in between', async () => {
    const store = new Parameters('10');
    store.handled = 5000;
    const { input, now } = heldFirstStep();

    const out = await runRolloutStep(store.ports(), input, now);

    expect(store.flag).toBe('50');
    expect(out).toMatchObject({ status: 'raised', percentage: 50 });
  });
});

describe('a step without traffic does not count as held', () => {
  it('keeps waiting past its time while fewer events than the minimum were handled, then raises', async () => {
    // Prepare: the hold is over, but only 10 of 1,000 events were handled (a quiet weekend).
    const store = new Parameters('10');
    store.handled = 10;
    const { input, now } = heldFirstStep();

    // Act
    const quiet = await runRolloutStep(store.ports(), input, now, { minEventsPerStep: 1000 });
    store.handled = 1000;
    const busy = await runRolloutStep(store.ports(), quiet, now + 30 * SECOND, { minEventsPerStep: 1000 });

    // Assess
    expect(quiet).toMatchObject({ status: 'waiting', waitSeconds: 30, flag: '10' });
    expect(quiet.waitReason).toMatch(/10 of 1000 events handled/);
    expect(busy).toMatchObject({ status: 'raised', percentage: 50 });
    expect(store.flag).toBe('50');
  });

  it('a plan may set its own minimum; 0 means time alone', async () => {
    const store = new Parameters('10');
    const { input, now } = heldFirstStep();

    const out = await runRolloutStep(
      store.ports(),
      { ...input, plan: { ...plan, minEventsPerStep: 0 } },
      now,
      { minEventsPerStep: 1000 },
    );

    expect(out.status).toBe('raised');
  });
});

describe('a rollback whose first attempt fails still happens', () => {
  it('the step throws a retryable error, and the retried step rolls back with the saved value intact', async () => {
    // Prepare: an alarm fires; the first write of "off" fails.
    const store = new Parameters('10');
    store.alarms = [{ name: 'errors', state: 'ALARM', reason: 'error rate' }];
    store.failWritesOf = 'off';
    const { input, now } = heldFirstStep(T0 + 10 * SECOND);

    // Act: the state machine retries RolloutAwsError.
    const first = runRolloutStep(store.ports(), input, now);
    await expect(first).rejects.toMatchObject({ name: 'RolloutAwsError' });
    const retried = await runRolloutStep(store.ports(), input, now + 10 * SECOND);

    // Assess
    expect(retried).toMatchObject({ status: 'rolled_back', stopCondition: 'errors' });
    expect(store.flag).toBe('off');
    expect(store.previous).toBe('10');
  });

  it('the rollback function, retried by Lambda with the same alarm event, turns the flag off', async () => {
    const store = new Parameters('25');
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
    const store = new Parameters('10');
    const { input } = heldFirstStep();
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
