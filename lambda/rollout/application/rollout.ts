import { parseFlag } from '../../shared/contract/flag.ts';
import { DEFAULT_WAIT_SLICE_SECONDS, MAX_TURNS_PER_EXECUTION, ROLLBACK_FLAG_VALUE } from '../constants.ts';
import {
  type AlarmState,
  decide,
  gateOnTraffic,
  type RolloutDecision,
  type RolloutPlan,
  type RolloutState,
  validatePlan,
} from '../domain/rollout.ts';
import { NothingToRestoreError, RolloutConflictError, RolloutPlanError } from '../errors.ts';

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
  /**
   * A value that changes whenever a rollback saves the flag (the `previous` parameter's version):
   * read before a step decides and after it raised, it reveals a rollback that happened in between.
   */
  previousMarker?(): Promise<string | undefined>;
  /** Events the integration handled since `sinceMs` (epoch ms). */
  handledEvents?(sinceMs: number): Promise<number>;
}

/** What the state machine carries from one step to the next (its input is the first of these). */
export interface RolloutInput {
  readonly plan: RolloutPlan;
  readonly state?: RolloutState | undefined;
  /** Longest single Wait; alarms are checked at least this often. */
  readonly sliceSeconds?: number | undefined;
  /** Epoch ms of the first step. */
  readonly startedAt?: number | undefined;
  /** Check-and-wait turns of this execution so far. */
  readonly turns?: number | undefined;
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
  readonly stopCondition?: string | undefined;
  /**
   * Error name and cause of the machine's Fail state, named as Step Functions names them (its Fail
   * state reads `$.error` and `$.cause`); everywhere past the machine (the rollout view, the CLI)
   * the cause is the rollout's `reason`.
   */
  readonly error?: string | undefined;
  readonly cause?: string | undefined;
  /** Why a hold goes on past its time (too little traffic). */
  readonly waitReason?: string | undefined;
  /** The execution reached its turn budget: start a new one with this output as its input. */
  readonly continueAsNew?: boolean | undefined;
}

function waitSecondsUntil(until: number, now: number, sliceSeconds: number): number {
  return Math.max(1, Math.min(sliceSeconds, Math.ceil((until - now) / 1000)));
}

/** What a step knew when it decided: the clock, the stop conditions and the flag it found. */
interface StepContext {
  readonly now: number;
  readonly alarms: readonly AlarmState[];
  readonly flagBefore: string | undefined;
  /** The value a rollback saved, when this step rolled back. */
  readonly previousSaved?: string | undefined;
}

/** The fields every step's output carries, whatever it decided. */
function outputBase(input: RolloutInput, state: RolloutState, context: StepContext) {
  const { plan } = input;
  return {
    plan,
    sliceSeconds: input.sliceSeconds ?? DEFAULT_WAIT_SLICE_SECONDS,
    turns: (input.turns ?? 0) + 1,
    startedAt: input.startedAt ?? context.now,
    alarms: context.alarms,
    checkedAt: new Date(context.now).toISOString(),
    flag: context.flagBefore,
    percentage: state.stepIndex >= 0 ? plan.steps[state.stepIndex] : undefined,
  };
}

/** Why the machine fails after a rollback, and how the operator gets the flag back. */
function rollbackReason(stopCondition: string, reason: string, previousSaved: string | undefined): string {
  const saved =
    previousSaved !== undefined
      ? `the previous value "${previousSaved}" is saved: put it back with \`tpi flag restore\` once the cause is fixed`
      : 'the flag was already off';
  return `stop condition ${stopCondition}: ${reason}. The flag was set to ${ROLLBACK_FLAG_VALUE}; ${saved}.`;
}

/**
 * Maps a decision to the step's output. Pure: the state machine and the local runner both take
 * their next move (wait how long, succeed, fail with which error) from this alone.
 */
export function stepOutcome(
  input: RolloutInput,
  decision: RolloutDecision,
  context: StepContext,
): RolloutStepOutput {
  const { plan } = input;
  const { now } = context;
  const state: RolloutState = input.state ?? { stepIndex: -1 };
  const base = outputBase(input, state, context);
  switch (decision.action) {
    case 'raise': {
      const raised: RolloutState = {
        stepIndex: decision.stepIndex,
        raisedAt: now,
        lastWritten: decision.flagValue,
      };
      const until = now + (plan.waitsMs[decision.stepIndex] ?? 0);
      return {
        ...base,
        state: raised,
        status: 'raised',
        percentage: decision.percentage,
        flag: decision.flagValue,
        nextRaiseAt: new Date(until).toISOString(),
        waitSeconds: waitSecondsUntil(until, now, base.sliceSeconds),
      };
    }
    case 'wait':
      return {
        ...base,
        state,
        status: 'waiting',
        nextRaiseAt: new Date(decision.until).toISOString(),
        waitSeconds: waitSecondsUntil(decision.until, now, base.sliceSeconds),
        ...(decision.reason ? { waitReason: decision.reason } : {}),
      };
    case 'finish':
      return { ...base, state, status: 'finished', waitSeconds: 0 };
    case 'rollback':
      return {
        ...base,
        state,
        status: 'rolled_back',
        flag: ROLLBACK_FLAG_VALUE,
        waitSeconds: 0,
        stopCondition: decision.stopCondition,
        error: 'RolloutRolledBack',
        cause: rollbackReason(decision.stopCondition, decision.reason, context.previousSaved),
      };
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

/** Settings a deployment gives every rollout step. */
export interface RolloutStepSettings {
  /** Used when the plan does not say. @default 0 */
  readonly minEventsPerStep?: number;
}

/**
 * One rollout step: reads the stop conditions and the flag, asks `decide`, holds a step that saw
 * too little traffic, and carries out a raise (write the flag) or a rollback (save the flag, turn
 * it off). A rollback that lands while the step decides wins: the raise is undone at once. The
 * first step refuses to start while another rollout runs and checks the plan.
 */
export async function runRolloutStep(
  ports: RolloutPorts,
  input: RolloutInput,
  now: number,
  settings: RolloutStepSettings = {},
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
  const state = input.state ?? { stepIndex: -1 };
  const markerBefore = await ports.previousMarker?.();
  const [alarms, flagBefore] = await Promise.all([ports.readAlarms(), ports.readFlag()]);
  let decision = decide(input.plan, state, { now, alarms, currentFlag: flagBefore });
  const minEvents = input.plan.minEventsPerStep ?? settings.minEventsPerStep ?? 0;
  if (state.stepIndex >= 0 && minEvents > 0 && ports.handledEvents && decision.action !== 'wait')
    decision = gateOnTraffic(decision, {
      now,
      sliceMs: (input.sliceSeconds ?? DEFAULT_WAIT_SLICE_SECONDS) * 1000,
      minEvents,
      handled:
        decision.action === 'raise' || decision.action === 'finish'
          ? await ports.handledEvents(state.raisedAt ?? now)
          : minEvents,
    });
  let previousSaved: string | undefined;
  if (decision.action === 'raise') {
    await ports.writeFlag(decision.flagValue);
    const undone = await undoRaiseIfRolledBack(ports, markerBefore);
    if (undone) {
      decision = undone;
      previousSaved = await ports.readPrevious();
    }
  }
  if (decision.action === 'rollback' && previousSaved === undefined)
    previousSaved = await rollBackFlag(ports);
  const output = stepOutcome(input, decision, { now, alarms, flagBefore, previousSaved });
  const continueAsNew =
    (output.status === 'raised' || output.status === 'waiting') &&
    (output.turns ?? 0) >= MAX_TURNS_PER_EXECUTION;
  return continueAsNew ? { ...output, turns: 0, continueAsNew: true } : output;
}

/**
 * After a raise: when a rollback saved the flag since the step began (the marker moved) or a stop
 * condition is in ALARM now, the raise must not stand. Turns the flag off again (a rollback that
 * already saved the pre-raise value keeps it) and says which rollback won.
 */
async function undoRaiseIfRolledBack(
  ports: RolloutPorts,
  markerBefore: string | undefined,
): Promise<RolloutDecision | undefined> {
  const markerAfter = await ports.previousMarker?.();
  if (markerAfter !== markerBefore) {
    await ports.writeFlag(ROLLBACK_FLAG_VALUE);
    return {
      action: 'rollback',
      stopCondition: 'concurrent-rollback',
      reason: 'a rollback turned the flag off while this step was raising it; the raise was undone',
    };
  }
  const firing = (await ports.readAlarms()).find((a) => a.state === 'ALARM');
  if (!firing) return undefined;
  const saved = await rollBackFlag(ports);
  return {
    action: 'rollback',
    stopCondition: firing.name,
    reason: `${firing.reason ?? `${firing.name} is in ALARM`} (right after the raise${saved ? ` to ${saved}` : ''})`,
  };
}
