import { parseFlag } from '../domain/flag.ts';
import {
  type AlarmState,
  decide,
  type RolloutDecision,
  type RolloutPlan,
  type RolloutState,
  validatePlan,
} from '../domain/rollout.ts';

/** The value a rollback writes. */
export const ROLLBACK_FLAG_VALUE = 'off';
/** What the `previous` parameter holds before any rollback saved a value there. */
export const NOTHING_SAVED = 'none';
/** How long one Wait lasts at most when the machine input does not say: alarms are re-checked after it. */
export const DEFAULT_WAIT_SLICE_SECONDS = 300;

/** Where a rollback keeps the value it replaced: next to the flag, so one name derives the other. */
export function previousFlagParameterName(flagParameterName: string): string {
  return `${flagParameterName}/previous`;
}

/** The plan is unusable; the message lists every problem. */
export class RolloutPlanError extends Error {
  override readonly name = 'RolloutPlanError';
}

/** Another rollout runs: only one may move the flag at a time. */
export class RolloutConflictError extends Error {
  override readonly name = 'RolloutConflictError';
}

/** `flag restore` found no value a rollback saved. */
export class NothingToRestoreError extends Error {
  override readonly name = 'NothingToRestoreError';
}

/** The flag and the parameter where a rollback saves the value it replaced. */
export interface FlagPorts {
  readFlag(): Promise<string | undefined>;
  writeFlag(value: string): Promise<void>;
  readPrevious(): Promise<string | undefined>;
  savePrevious(value: string): Promise<void>;
}

/** Everything one rollout step reads and writes. */
export interface RolloutPorts extends FlagPorts {
  /** States of exactly the stop-condition alarms. */
  readAlarms(): Promise<AlarmState[]>;
  /** Ids of other rollouts in progress (the deployed machine's RUNNING executions but this one). */
  otherRollouts?(): Promise<string[]>;
}

/** What the state machine carries from one step to the next (its input is the first of these). */
export interface RolloutInput {
  readonly plan: RolloutPlan;
  readonly state?: RolloutState | undefined;
  /** Longest single Wait; alarms are checked at least this often. */
  readonly sliceSeconds?: number | undefined;
  /** Epoch ms of the first step. */
  readonly startedAt?: number | undefined;
}

/** How a step ended; the state machine's Choice branches on it. */
export type RolloutStepStatus = 'raised' | 'waiting' | 'finished' | 'rolled_back' | 'stopped';

/** One step's result: the next step's input plus what an operator wants to see. */
export interface RolloutStepOutput extends RolloutInput {
  readonly state: RolloutState;
  readonly sliceSeconds: number;
  readonly startedAt: number;
  readonly status: RolloutStepStatus;
  /** Seconds the machine waits before the next check (0 once the rollout ended). */
  readonly waitSeconds: number;
  /** The percentage of the current step, when one was raised. */
  readonly percentage?: number | undefined;
  /** The flag as this step left it. */
  readonly flag?: string | undefined;
  /** When the current hold ends (ISO-8601): the next raise, or the end of the last step. */
  readonly nextRaiseAt?: string | undefined;
  readonly alarms: readonly AlarmState[];
  readonly checkedAt: string;
  /** The stop condition that rolled the flag back. */
  readonly alarm?: string | undefined;
  /** Error name and cause for the machine's Fail state. */
  readonly error?: string | undefined;
  readonly cause?: string | undefined;
}

function waitSecondsUntil(until: number, now: number, sliceSeconds: number): number {
  return Math.max(1, Math.min(sliceSeconds, Math.ceil((until - now) / 1000)));
}

/**
 * Maps a decision to the step's output. Pure: the state machine and the local runner both take
 * their next move (wait how long, succeed, fail with which error) from this alone.
 */
export function stepOutcome(
  input: RolloutInput,
  decision: RolloutDecision,
  context: {
    readonly now: number;
    readonly alarms: readonly AlarmState[];
    readonly flagBefore: string | undefined;
    readonly previousSaved?: string | undefined;
  },
): RolloutStepOutput {
  const { plan, now } = { plan: input.plan, now: context.now };
  const state: RolloutState = input.state ?? { stepIndex: -1 };
  const sliceSeconds = input.sliceSeconds ?? DEFAULT_WAIT_SLICE_SECONDS;
  const base = {
    plan,
    sliceSeconds,
    startedAt: input.startedAt ?? now,
    alarms: context.alarms,
    checkedAt: new Date(now).toISOString(),
    flag: context.flagBefore,
    percentage: state.stepIndex >= 0 ? plan.steps[state.stepIndex] : undefined,
  };
  const holdEnd = (s: RolloutState) =>
    s.stepIndex >= 0 ? (s.raisedAt ?? now) + (plan.waitsMs[s.stepIndex] ?? 0) : undefined;
  switch (decision.action) {
    case 'raise': {
      const raised: RolloutState = {
        stepIndex: decision.stepIndex,
        raisedAt: now,
        lastWritten: decision.flagValue,
      };
      const until = holdEnd(raised) ?? now;
      return {
        ...base,
        state: raised,
        status: 'raised',
        percentage: decision.percentage,
        flag: decision.flagValue,
        nextRaiseAt: new Date(until).toISOString(),
        waitSeconds: waitSecondsUntil(until, now, sliceSeconds),
      };
    }
    case 'wait':
      return {
        ...base,
        state,
        status: 'waiting',
        nextRaiseAt: new Date(decision.until).toISOString(),
        waitSeconds: waitSecondsUntil(decision.until, now, sliceSeconds),
      };
    case 'finish':
      return { ...base, state, status: 'finished', waitSeconds: 0 };
    case 'rollback': {
      const saved =
        context.previousSaved !== undefined
          ? `the previous value "${context.previousSaved}" is saved: put it back with \`tpi flag restore\` once the cause is fixed`
          : 'the flag was already off';
      return {
        ...base,
        state,
        status: 'rolled_back',
        flag: ROLLBACK_FLAG_VALUE,
        waitSeconds: 0,
        alarm: decision.alarm,
        error: 'RolloutRolledBack',
        cause: `stop condition ${decision.alarm}: ${decision.reason}. The flag was set to ${ROLLBACK_FLAG_VALUE}; ${saved}.`,
      };
    }
    case 'stop':
      return {
        ...base,
        state,
        status: 'stopped',
        waitSeconds: 0,
        error: 'RolloutStopped',
        cause: `the rollout stopped: ${decision.reason}. Start a new rollout to continue from the current value.`,
      };
  }
}

/**
 * Turns the flag off, first saving the value it replaces, unless it is off already (so a second
 * alarm never overwrites the saved value with `off`). Returns the saved value.
 */
export async function rollBackFlag(ports: FlagPorts): Promise<string | undefined> {
  const current = await ports.readFlag();
  if (current === undefined || parseFlag(current).mode === 'off') return undefined;
  await ports.savePrevious(current);
  await ports.writeFlag(ROLLBACK_FLAG_VALUE);
  return current;
}

/** Puts back the value the last rollback saved; returns it. */
export async function restoreFlag(ports: FlagPorts): Promise<string> {
  const previous = await ports.readPrevious();
  const setting = previous === undefined ? undefined : parseFlag(previous);
  if (previous === undefined || setting === undefined || (setting.mode === 'off' && setting.misconfigured))
    throw new NothingToRestoreError(
      'no saved flag value: no rollback has turned the flag off yet. Set the value you want with `tpi flag set`.',
    );
  await ports.writeFlag(previous);
  return previous;
}

/**
 * One rollout step: reads the stop conditions and the flag, asks `decide`, and carries out a raise
 * (write the flag) or a rollback (save the flag, turn it off). The first step refuses to start
 * while another rollout runs and checks the plan.
 */
export async function runRolloutStep(
  ports: RolloutPorts,
  input: RolloutInput,
  now: number,
): Promise<RolloutStepOutput> {
  if (input.state === undefined) {
    const problems = validatePlan(input.plan);
    if (problems.length > 0)
      throw new RolloutPlanError(`the rollout plan is invalid: ${problems.join('; ')}`);
    const others = (await ports.otherRollouts?.()) ?? [];
    if (others.length > 0)
      throw new RolloutConflictError(
        `another rollout is in progress (${others.join(', ')}): wait for it or abort it with \`tpi rollout abort\` first`,
      );
  }
  const [alarms, flagBefore] = await Promise.all([ports.readAlarms(), ports.readFlag()]);
  const decision = decide(input.plan, input.state ?? { stepIndex: -1 }, {
    now,
    alarms,
    currentFlag: flagBefore,
  });
  let previousSaved: string | undefined;
  if (decision.action === 'raise') await ports.writeFlag(decision.flagValue);
  if (decision.action === 'rollback') previousSaved = await rollBackFlag(ports);
  return stepOutcome(input, decision, { now, alarms, flagBefore, previousSaved });
}

/** A rollout as `tpi rollout status` shows it, for the deployed machine and the local runner alike. */
export interface RolloutView {
  readonly id: string;
  readonly state: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  readonly startedAt?: string | undefined;
  readonly stoppedAt?: string | undefined;
  readonly steps: readonly number[];
  /** 1-based number of the current step; 0 before the first raise. */
  readonly step: number;
  readonly percentage?: number | undefined;
  readonly flag?: string | undefined;
  readonly nextRaiseAt?: string | undefined;
  readonly alarms: readonly AlarmState[];
  /** The stop condition that rolled the flag back. */
  readonly stopCondition?: string | undefined;
  readonly error?: string | undefined;
  readonly reason?: string | undefined;
}

/** The view of a rollout from its last step's output and how it ended. */
export function rolloutView(
  id: string,
  state: RolloutView['state'],
  last: RolloutStepOutput | undefined,
  ended?: { readonly stoppedAt?: string; readonly error?: string; readonly reason?: string },
): RolloutView {
  const running = state === 'RUNNING';
  return {
    id,
    state,
    startedAt: last ? new Date(last.startedAt).toISOString() : undefined,
    stoppedAt: ended?.stoppedAt,
    steps: last?.plan.steps ?? [],
    step: (last?.state.stepIndex ?? -1) + 1,
    percentage: last?.percentage,
    flag: last?.flag,
    nextRaiseAt: running ? last?.nextRaiseAt : undefined,
    alarms: last?.alarms ?? [],
    stopCondition: last?.alarm,
    error: ended?.error ?? last?.error,
    reason: ended?.reason ?? last?.cause,
  };
}
