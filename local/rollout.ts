import { randomUUID } from 'node:crypto';
import { type RolloutStepOutput, runRolloutStep } from '../lambda/rollout/application/rollout.ts';
import { type RolloutView, rolloutView } from '../lambda/rollout/application/rollout-view.ts';
import { readStopConditions } from '../lambda/rollout/application/stop-conditions.ts';
import { DEFAULT_WAIT_SLICE_SECONDS, MAX_WAIT_SLICE_SECONDS } from '../lambda/rollout/constants.ts';
import type { RolloutPlan } from '../lambda/rollout/domain/rollout.ts';
import { RolloutConflictError } from '../lambda/rollout/errors.ts';
import { type LocalRolloutParts, localRolloutPorts } from './rollout-ports.ts';

/** Step attempts when a call fails, as the state machine retries its task. */
const STEP_ATTEMPTS = 5;

interface Run {
  readonly id: string;
  failedAttempts: number;
  last: RolloutStepOutput;
  state: RolloutView['state'];
  stoppedAt?: string;
  error?: string;
  reason?: string;
  timer?: NodeJS.Timeout | undefined;
}

/** Options of {@link LocalRollout}. */
export interface LocalRolloutOptions extends LocalRolloutParts {
  readonly log?: (line: string) => void;
  /** Included events a step must see before its hold counts, unless the plan says. @default 0 (locally, time alone) */
  readonly minEventsPerStep?: number;
  /** Delay before a failed step is tried again, in ms. @default 1000 */
  readonly retryDelayMs?: number;
}

/**
 * The deployed rollout, in process: the same `runRolloutStep` (the same decision, arming, pending
 * raise and checks) on timers instead of a state machine, over the local parameter store and the
 * local CloudWatch. When the stop-conditions composite goes into ALARM the running rollout checks at
 * once (the local rollback, like the deployed rule, has turned the flag off by then).
 */
export class LocalRollout {
  private run: Run | undefined;
  private stepping: Promise<void> = Promise.resolve();
  private readonly log: (line: string) => void;

  constructor(private readonly options: LocalRolloutOptions) {
    this.log = options.log ?? (() => undefined);
    options.cloudWatch.alarms.onChange((alarm) => {
      const run = this.run;
      if (
        alarm.name === options.cloudWatch.names.stopConditions &&
        alarm.state === 'ALARM' &&
        run?.state === 'RUNNING'
      )
        this.schedule(run, 0);
    });
  }

  /** Starts a rollout; refuses while one runs, or as its first step refuses. */
  async start(plan: RolloutPlan, sliceSeconds = DEFAULT_WAIT_SLICE_SECONDS): Promise<RolloutView> {
    if (this.run?.state === 'RUNNING')
      throw new RolloutConflictError(
        `rollout ${this.run.id} is in progress: wait for it or abort it with \`tpi rollout abort\` first`,
      );
    const now = Date.now();
    const first = await runRolloutStep(
      localRolloutPorts(this.options),
      { plan, sliceSeconds: Math.min(sliceSeconds, MAX_WAIT_SLICE_SECONDS), startedAt: now },
      now,
      { minEventsPerStep: this.options.minEventsPerStep ?? 0 },
    );
    const run: Run = {
      id: `local-${new Date(now).toISOString()}-${randomUUID().slice(0, 8)}`,
      failedAttempts: 0,
      last: first,
      state: 'RUNNING',
    };
    this.run = run;
    this.log(`rollout   ${run.id} started: ${plan.steps.join(' → ')}`);
    this.after(run, first);
    return (await this.describe()) as RolloutView;
  }

  /** The current or last rollout, or `undefined` when none ran since the stack started. */
  async describe(): Promise<RolloutView | undefined> {
    const run = this.run;
    if (!run) return undefined;
    const view = rolloutView(run.id, run.state, run.last, {
      ...(run.stoppedAt ? { stoppedAt: run.stoppedAt } : {}),
      ...(run.error ? { error: run.error } : {}),
      ...(run.reason ? { reason: run.reason } : {}),
    });
    if (run.state !== 'RUNNING') return view;
    // While running, show the stop conditions as they are now, not as of the last check.
    const { alarms, names } = this.options.cloudWatch;
    return { ...view, alarms: (await readStopConditions(alarms, names.stopConditions)).alarms };
  }

  /** Stops the running rollout where it is (the flag keeps its value); `undefined` when none runs. */
  async abort(reason: string): Promise<RolloutView | undefined> {
    const run = this.run;
    if (run?.state !== 'RUNNING') return undefined;
    this.end(run, 'ABORTED', 'RolloutAborted', reason);
    return this.describe();
  }

  /** Resolves once the step in progress, if any, has ended. */
  settled(): Promise<void> {
    return this.stepping;
  }

  /** Stops timers (the stack is stopping). */
  close(): void {
    if (this.run?.timer) clearTimeout(this.run.timer);
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
      const output = await runRolloutStep(localRolloutPorts(this.options), run.last, Date.now(), {
        minEventsPerStep: this.options.minEventsPerStep ?? 0,
      });
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
