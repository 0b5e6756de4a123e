import { randomUUID } from 'node:crypto';
import type { RecordSummary } from '../lambda/recording/adapters/telemetry.ts';
import {
  type FlagPorts,
  type RolloutPorts,
  type RolloutStepOutput,
  runRolloutStep,
} from '../lambda/rollout/application/rollout.ts';
import { type RolloutView, rolloutView } from '../lambda/rollout/application/rollout-view.ts';
import {
  DEFAULT_WAIT_SLICE_SECONDS,
  previousFlagParameterName,
  STOP_CONDITION_DEFAULTS,
  type StopConditionSettings,
} from '../lambda/rollout/constants.ts';
import type { AlarmState, RolloutPlan } from '../lambda/rollout/domain/rollout.ts';
import { RolloutConflictError } from '../lambda/rollout/errors.ts';
import type { LocalParameterStore } from './parameters.ts';
import {
  type DeliveryCounters,
  LOCAL_OUTSIDE_ALARM_PREFIX,
  localStopConditions,
  zeroCounters,
} from './stop-conditions.ts';

/** Step attempts when an AWS call fails, as the state machine retries its task. */
const STEP_ATTEMPTS = 5;

interface Run {
  readonly id: string;
  readonly baseline: DeliveryCounters;
  readonly durationsMs: number[];
  failedAttempts: number;
  last: RolloutStepOutput;
  state: RolloutView['state'];
  stoppedAt?: string;
  error?: string;
  reason?: string;
  timer?: NodeJS.Timeout | undefined;
}

/** Options of {@link LocalRollout}. */
export interface LocalRolloutOptions {
  readonly parameters: LocalParameterStore;
  readonly flagParameterName: string;
  readonly log?: (line: string) => void;
  /** Thresholds of the stop conditions. @default STOP_CONDITION_DEFAULTS, as deployed */
  readonly stopConditions?: Partial<StopConditionSettings>;
  /** Events a step must handle before its hold counts, unless the plan says. @default 0 (locally, time alone) */
  readonly minEventsPerStep?: number;
  /** One sweep of the audit (duplicates and drift); run before every step. @default none */
  readonly audit?: () => Promise<{ readonly duplicates: number; readonly drifted: number }>;
  /** Delay before a failed step is tried again, in ms. @default 1000 */
  readonly retryDelayMs?: number;
}

/**
 * The deployed rollout, in process: the same `runRolloutStep` (and so the same `decide`) on timers
 * instead of a state machine, with stop conditions computed from the local stack's counters. A
 * stop condition that trips is acted on at once, not at the next check.
 */
export class LocalRollout {
  private readonly counters: DeliveryCounters = zeroCounters();
  private readonly outside = new Map<string, string>();
  private readonly settings: StopConditionSettings;
  private run: Run | undefined;
  private stepping: Promise<void> = Promise.resolve();
  private readonly log: (line: string) => void;
  private readonly ports: FlagPorts & { previousMarker(): Promise<string | undefined> };
  private readonly options: LocalRolloutOptions;

  constructor(options: LocalRolloutOptions) {
    this.options = options;
    this.settings = { ...STOP_CONDITION_DEFAULTS, ...options.stopConditions };
    this.log = options.log ?? (() => undefined);
    const { parameters, flagParameterName } = options;
    const previous = previousFlagParameterName(flagParameterName);
    this.ports = {
      readFlag: async () => parameters.get(flagParameterName)?.value,
      writeFlag: async (value) => void parameters.put(flagParameterName, value, { overwrite: true }),
      readPrevious: async () => parameters.get(previous)?.value,
      savePrevious: async (value) => void parameters.put(previous, value, { overwrite: true }),
      previousMarker: async () => {
        const version = parameters.get(previous)?.version;
        return version === undefined ? undefined : String(version);
      },
    };
  }

  /** The flag and the saved value, as the rollback function reaches them. */
  get flagPorts(): FlagPorts {
    return this.ports;
  }

  /** A recording outcome: invalid events are dead letters, conflicts count as such. */
  delivered(summary: RecordSummary): void {
    this.counters.deliveries += 1;
    if (summary.status === 'invalid') this.counters.deadLetters += 1;
    else this.counters.conflicts += summary.conflicts;
    this.tripped();
  }

  /** A delivery attempt threw (it is retried or becomes a dead letter). */
  failedDelivery(): void {
    this.counters.deliveries += 1;
    this.counters.errors += 1;
    this.tripped();
  }

  /** A delivery gave up: its final failed attempt and its dead letter. */
  gaveUp(): void {
    this.counters.deadLetters += 1;
    this.counters.givenUp += 1;
    this.failedDelivery();
  }

  /** How long one delivery to the recording handler took (the deployed `Duration`). */
  recordingDuration(ms: number): void {
    this.run?.durationsMs.push(ms);
    this.tripped();
  }

  /** Stream records the statistics gave up on. */
  statisticsFailed(records: number): void {
    this.counters.statisticsFailures += records;
    this.tripped();
  }

  /** A DynamoDB throttle or server error (seen on every attempt). */
  dynamoFault(): void {
    this.counters.dynamoFaults += 1;
    this.tripped();
  }

  /** An outside alarm (the platform's own) changed state; ALARM is a stop condition like any other. */
  setOutsideAlarm(name: string, value: 'OK' | 'ALARM', reason?: string): void {
    const key = `${LOCAL_OUTSIDE_ALARM_PREFIX}${name}`;
    if (value === 'ALARM') this.outside.set(key, reason ?? `${name} is in ALARM`);
    else this.outside.delete(key);
    this.tripped();
  }

  /** Runs one audit sweep and counts what it found; returns it. */
  async audit(): Promise<{ duplicates: number; drifted: number }> {
    const found = (await this.options.audit?.()) ?? { duplicates: 0, drifted: 0 };
    this.counters.duplicates += found.duplicates;
    this.counters.drifted += found.drifted;
    this.tripped();
    return found;
  }

  /** Starts a rollout; refuses while one runs. */
  async start(plan: RolloutPlan, sliceSeconds = DEFAULT_WAIT_SLICE_SECONDS): Promise<RolloutView> {
    if (this.run?.state === 'RUNNING')
      throw new RolloutConflictError(
        `rollout ${this.run.id} is in progress: wait for it or abort it with \`tpi rollout abort\` first`,
      );
    const now = Date.now();
    const baseline = { ...this.counters };
    const durationsMs: number[] = [];
    const first = await runRolloutStep(
      this.rolloutPorts(baseline, durationsMs),
      { plan, sliceSeconds, startedAt: now },
      now,
      { minEventsPerStep: this.options.minEventsPerStep ?? 0 },
    );
    const run: Run = {
      id: `local-${new Date(now).toISOString()}-${randomUUID().slice(0, 8)}`,
      baseline,
      durationsMs,
      failedAttempts: 0,
      last: first,
      state: 'RUNNING',
    };
    this.run = run;
    this.log(`rollout   ${run.id} started: ${plan.steps.join(' → ')}`);
    this.after(run, first);
    return this.describe() as RolloutView;
  }

  /** The current or last rollout, or `undefined` when none ran since the stack started. */
  describe(): RolloutView | undefined {
    const run = this.run;
    if (!run) return undefined;
    const view = rolloutView(run.id, run.state, run.last, {
      ...(run.stoppedAt ? { stoppedAt: run.stoppedAt } : {}),
      ...(run.error ? { error: run.error } : {}),
      ...(run.reason ? { reason: run.reason } : {}),
    });
    // While running, show the stop conditions as they are now, not as of the last check.
    return run.state === 'RUNNING' ? { ...view, alarms: this.conditions(run) } : view;
  }

  /** Stops the running rollout where it is (the flag keeps its value); `undefined` when none runs. */
  abort(reason: string): RolloutView | undefined {
    const run = this.run;
    if (run?.state !== 'RUNNING') return undefined;
    this.end(run, 'ABORTED', 'RolloutAborted', reason);
    return this.describe();
  }

  /** Stops timers (the stack is stopping). */
  close(): void {
    if (this.run?.timer) clearTimeout(this.run.timer);
  }

  private conditions(run: Pick<Run, 'baseline' | 'durationsMs'>): AlarmState[] {
    return localStopConditions({
      since: run.baseline,
      now: this.counters,
      durationsMs: run.durationsMs,
      outside: this.outside,
      settings: this.settings,
    });
  }

  private rolloutPorts(baseline: DeliveryCounters, durationsMs: number[]): RolloutPorts {
    return {
      ...this.ports,
      readAlarms: async () => {
        if (this.options.audit) await this.audit();
        return this.conditions({ baseline, durationsMs });
      },
      handledEvents: async () => this.counters.deliveries - baseline.deliveries,
    };
  }

  private tripped(): void {
    const run = this.run;
    if (run?.state !== 'RUNNING') return;
    if (!this.conditions(run).some((a) => a.state === 'ALARM')) return;
    this.schedule(run, 0);
  }

  private schedule(run: Run, delayMs: number): void {
    if (run.timer) clearTimeout(run.timer);
    run.timer = setTimeout(() => {
      run.timer = undefined;
      this.stepping = this.stepping.then(() => this.step(run));
    }, delayMs);
  }

  private async step(run: Run): Promise<void> {
    if (run.state !== 'RUNNING' || this.run !== run) return;
    try {
      const output = await runRolloutStep(
        this.rolloutPorts(run.baseline, run.durationsMs),
        run.last,
        Date.now(),
        { minEventsPerStep: this.options.minEventsPerStep ?? 0 },
      );
      run.failedAttempts = 0;
      run.last = output;
      this.after(run, output);
    } catch (error) {
      // As the state machine retries its task: a failed write (a rollback's included) is tried
      // again, and the next attempt sees the same alarm and rolls back.
      run.failedAttempts += 1;
      if (run.failedAttempts < STEP_ATTEMPTS) {
        this.log(`rollout   ${run.id}: step failed (${(error as Error).message}); trying again`);
        this.schedule(run, this.options.retryDelayMs ?? 1000);
        return;
      }
      this.end(run, 'FAILED', (error as Error).name, (error as Error).message);
    }
  }

  private after(run: Run, output: RolloutStepOutput): void {
    if (output.status === 'raised') this.log(`rollout   ${run.id}: flag raised to ${output.flag}`);
    switch (output.status) {
      case 'raised':
      case 'waiting':
        this.schedule(run, output.waitSeconds * 1000);
        return;
      case 'finished':
        this.end(run, 'SUCCEEDED');
        return;
      default:
        this.end(run, 'FAILED', output.error, output.cause);
    }
  }

  private end(run: Run, state: RolloutView['state'], error?: string, reason?: string): void {
    if (run.timer) clearTimeout(run.timer);
    run.timer = undefined;
    run.state = state;
    run.stoppedAt = new Date().toISOString();
    if (error) run.error = error;
    if (reason) run.reason = reason;
    this.log(`rollout   ${run.id} ${state.toLowerCase()}${reason ? `: ${reason}` : ''}`);
  }
}
