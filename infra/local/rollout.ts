import { randomUUID } from 'node:crypto';
import {
  DEFAULT_WAIT_SLICE_SECONDS,
  type FlagPorts,
  previousFlagParameterName,
  RolloutConflictError,
  type RolloutStepOutput,
  type RolloutView,
  rolloutView,
  runRolloutStep,
} from '../../lambda/application/rollout.ts';
import type { AlarmState, RolloutPlan } from '../../lambda/domain/rollout.ts';
import type { RecordSummary } from '../../lambda/handlers/record-activity.ts';
import { AwsServiceError } from './aws-json.ts';
import type { LocalParameterStore } from './parameters.ts';

/** Recording error rate, in percent of deliveries, above which the local rollout rolls back (as deployed). */
export const LOCAL_ERROR_RATE_THRESHOLD_PERCENT = 0.1;

/** The local stop conditions, named like the alarms they stand for. */
export const LOCAL_STOP_CONDITIONS = {
  errorRate: 'local-RecordingErrorRate',
  deadLetters: 'local-DeadLetters',
  conflicts: 'local-IdempotencyConflicts',
} as const;

/** `X-Amz-Target`s of the local rollout operations. */
export const LOCAL_ROLLOUT_TARGETS = {
  start: 'TournamentProfileLocal.StartRollout',
  describe: 'TournamentProfileLocal.DescribeRollout',
  stop: 'TournamentProfileLocal.StopRollout',
} as const;

/** Counts of what the local recording did, since the stack started. */
export interface DeliveryCounters {
  deliveries: number;
  errors: number;
  deadLetters: number;
  conflicts: number;
}

/** The stop conditions from the counters accumulated since a rollout started. Pure. */
export function localStopConditions(since: DeliveryCounters, now: DeliveryCounters): AlarmState[] {
  const deliveries = now.deliveries - since.deliveries;
  const errors = now.errors - since.errors;
  const deadLetters = now.deadLetters - since.deadLetters;
  const conflicts = now.conflicts - since.conflicts;
  const rate = deliveries > 0 ? (100 * errors) / deliveries : 0;
  return [
    rate > LOCAL_ERROR_RATE_THRESHOLD_PERCENT
      ? {
          name: LOCAL_STOP_CONDITIONS.errorRate,
          state: 'ALARM',
          reason: `${errors} of ${deliveries} deliveries failed (${rate.toFixed(2)}% > ${LOCAL_ERROR_RATE_THRESHOLD_PERCENT}%)`,
        }
      : { name: LOCAL_STOP_CONDITIONS.errorRate, state: 'OK' },
    deadLetters > 0
      ? {
          name: LOCAL_STOP_CONDITIONS.deadLetters,
          state: 'ALARM',
          reason: `${deadLetters} dead letter(s) stored since the rollout started: see \`tpi dead-letters list\``,
        }
      : { name: LOCAL_STOP_CONDITIONS.deadLetters, state: 'OK' },
    conflicts > 0
      ? {
          name: LOCAL_STOP_CONDITIONS.conflicts,
          state: 'ALARM',
          reason: `${conflicts} idempotency conflict(s) since the rollout started: a publisher reused a key`,
        }
      : { name: LOCAL_STOP_CONDITIONS.conflicts, state: 'OK' },
  ];
}

interface Run {
  readonly id: string;
  readonly baseline: DeliveryCounters;
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
}

/**
 * The deployed rollout, in process: the same `runRolloutStep` (and so the same `decide`) on timers
 * instead of a state machine, with stop conditions computed from the local stack's counters. A
 * stop condition that trips is acted on at once, not at the next check.
 */
export class LocalRollout {
  private readonly counters: DeliveryCounters = { deliveries: 0, errors: 0, deadLetters: 0, conflicts: 0 };
  private run: Run | undefined;
  private stepping: Promise<void> = Promise.resolve();
  private readonly log: (line: string) => void;
  private readonly ports: FlagPorts;

  constructor(options: LocalRolloutOptions) {
    this.log = options.log ?? (() => undefined);
    const { parameters, flagParameterName } = options;
    const previous = previousFlagParameterName(flagParameterName);
    this.ports = {
      readFlag: async () => parameters.get(flagParameterName)?.value,
      writeFlag: async (value) => void parameters.put(flagParameterName, value, { overwrite: true }),
      readPrevious: async () => parameters.get(previous)?.value,
      savePrevious: async (value) => void parameters.put(previous, value, { overwrite: true }),
    };
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
    this.failedDelivery();
  }

  /** Starts a rollout; refuses while one runs. */
  async start(plan: RolloutPlan, sliceSeconds = DEFAULT_WAIT_SLICE_SECONDS): Promise<RolloutView> {
    if (this.run?.state === 'RUNNING')
      throw new RolloutConflictError(
        `rollout ${this.run.id} is in progress: wait for it or abort it with \`tpi rollout abort\` first`,
      );
    const now = Date.now();
    const baseline = { ...this.counters };
    const first = await runRolloutStep(
      this.rolloutPorts(baseline),
      { plan, sliceSeconds, startedAt: now },
      now,
    );
    const run: Run = {
      id: `local-${new Date(now).toISOString()}-${randomUUID().slice(0, 8)}`,
      baseline,
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
    return run.state === 'RUNNING'
      ? { ...view, alarms: localStopConditions(run.baseline, this.counters) }
      : view;
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

  private rolloutPorts(baseline: DeliveryCounters) {
    return { ...this.ports, readAlarms: async () => localStopConditions(baseline, this.counters) };
  }

  private tripped(): void {
    const run = this.run;
    if (run?.state !== 'RUNNING') return;
    if (!localStopConditions(run.baseline, this.counters).some((a) => a.state === 'ALARM')) return;
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
      const output = await runRolloutStep(this.rolloutPorts(run.baseline), run.last, Date.now());
      run.last = output;
      this.after(run, output);
    } catch (error) {
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

function planFrom(input: Record<string, unknown>): { plan: RolloutPlan; sliceSeconds?: number } {
  const { Steps, WaitsMs, SliceSeconds } = input;
  const numbers = (value: unknown) => Array.isArray(value) && value.every((n) => typeof n === 'number');
  if (!numbers(Steps) || !numbers(WaitsMs))
    throw new AwsServiceError('ValidationException', 'Steps and WaitsMs must be arrays of numbers.');
  if (SliceSeconds !== undefined && (typeof SliceSeconds !== 'number' || SliceSeconds < 1))
    throw new AwsServiceError('ValidationException', 'SliceSeconds must be a number ≥ 1.');
  return {
    plan: { steps: Steps as number[], waitsMs: WaitsMs as number[] },
    ...(SliceSeconds !== undefined ? { sliceSeconds: SliceSeconds as number } : {}),
  };
}

/** The local endpoint's rollout operations, answering like an AWS JSON API. */
export function rolloutOperations(
  rollout: LocalRollout,
): Record<string, (input: Record<string, unknown>) => unknown> {
  return {
    [LOCAL_ROLLOUT_TARGETS.start]: async (input) => {
      const { plan, sliceSeconds } = planFrom(input);
      try {
        return { Rollout: await rollout.start(plan, sliceSeconds) };
      } catch (error) {
        const name = (error as Error).name;
        if (name === 'RolloutConflictError')
          throw new AwsServiceError('ExecutionAlreadyExists', (error as Error).message);
        if (name === 'RolloutPlanError')
          throw new AwsServiceError('ValidationException', (error as Error).message);
        throw error;
      }
    },
    [LOCAL_ROLLOUT_TARGETS.describe]: () => ({ Rollout: rollout.describe() ?? null }),
    [LOCAL_ROLLOUT_TARGETS.stop]: (input) => ({
      Rollout:
        rollout.abort(typeof input.Reason === 'string' ? input.Reason : 'aborted by the operator') ?? null,
    }),
  };
}
