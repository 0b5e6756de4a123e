import {
  DEFAULT_WAIT_SLICE_SECONDS,
  MAX_TURNS_PER_EXECUTION,
  ROLLBACK_FLAG_VALUE,
  type RolloutArming,
} from '../constants.ts';
import { armedThrough, pendingRaiseOf, preIncidentValue } from '../domain/arming.ts';
import {
  type AlarmState,
  decide,
  gateOnTraffic,
  holdRaise,
  type RolloutDecision,
  type RolloutPlan,
  type RolloutState,
  validatePlan,
} from '../domain/rollout.ts';
import {
  RaiseRefusedError,
  RolloutConflictError,
  RolloutPlanError,
  StopConditionMissingError,
} from '../errors.ts';
import { type ArmingPorts, type FlagPorts, rollBackFlag } from './flag.ts';
import { describeFiring, describeMissing, firingOf, type StopConditionsReport } from './stop-conditions.ts';

/** Everything one rollout step reads and writes. */
export interface RolloutPorts extends FlagPorts, ArmingPorts {
  /** The stop conditions, from the top-level composite down. */
  readStopConditions(): Promise<StopConditionsReport>;
  /** Why raises must wait although no stop condition fires (the audit stopped); empty when none. */
  raiseBlockers?(): Promise<string[]>;
  /** Ids of other rollouts in progress (the deployed machine's RUNNING executions but this one). */
  otherRollouts?(): Promise<string[]>;
  /**
   * A value that changes whenever a rollback saves the flag (the `previous` parameter's version):
   * read before a step decides and after it raised, it reveals a rollback that happened in between.
   */
  previousMarker?(): Promise<string | undefined>;
  /** Events with a user the flag includes (`IncludedEvents`) since `sinceMs` (epoch ms). */
  includedEvents?(sinceMs: number): Promise<number>;
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

/** Settings a deployment gives every rollout step. */
export interface RolloutStepSettings {
  /** Used when the plan does not say. @default 0 */
  readonly minEventsPerStep?: number;
}

/** What a step found before deciding. */
interface Observed {
  readonly report: StopConditionsReport;
  readonly flag: string | undefined;
  readonly arming: RolloutArming;
  readonly marker: string | undefined;
}

/**
 * Refuses to start a rollout on an invalid plan, beside another rollout, while a stop condition is in
 * ALARM, or when one of their alarms does not exist.
 */
async function refuseToStart(ports: RolloutPorts, input: RolloutInput, report: StopConditionsReport) {
  const problems = validatePlan(input.plan);
  if (problems.length > 0) throw new RolloutPlanError(`the rollout plan is invalid: ${problems.join('; ')}`);
  const others = (await ports.otherRollouts?.()) ?? [];
  if (others.length > 0)
    throw new RolloutConflictError(
      `another rollout is in progress (${others.join(', ')}): wait for it or abort it with \`tpi rollout abort\` first`,
    );
  const firing = firingOf(report);
  if (firing.length > 0)
    throw new RaiseRefusedError(
      `the rollout does not start: stop condition(s) in ALARM: ${describeFiring(firing)}. Fix the cause and start again.`,
    );
  if (report.missing.length > 0)
    throw new StopConditionMissingError(
      `the rollout does not start: these stop-condition alarms do not exist, so their conditions could never stop it: ${describeMissing(report.missing)}. Create them (or fix the names in platformAlarms and deploy), then start again.`,
    );
}

/**
 * The flag as the rollout judges it: a raise of its own still pending (a retried step whose last
 * attempt wrote the flag and died) is not a change by hand.
 */
function flagAsWritten(state: RolloutState, observed: Observed, now: number): string | undefined {
  const pending = pendingRaiseOf(observed.arming, observed.flag, now);
  return pending && pending.from === (state.lastWritten ?? pending.from) ? state.lastWritten : observed.flag;
}

/** The decision, held while traffic is short or something blocks raises. */
async function decision(
  ports: RolloutPorts,
  input: RolloutInput,
  observed: Observed,
  now: number,
  settings: RolloutStepSettings,
): Promise<RolloutDecision> {
  const state = input.state ?? { stepIndex: -1 };
  const alarms = firingOf(observed.report);
  let next = decide(input.plan, state, { now, alarms, currentFlag: flagAsWritten(state, observed, now) });
  const sliceMs = (input.sliceSeconds ?? DEFAULT_WAIT_SLICE_SECONDS) * 1000;
  const minEvents = input.plan.minEventsPerStep ?? settings.minEventsPerStep ?? 0;
  if (state.stepIndex >= 0 && minEvents > 0 && ports.includedEvents && next.action !== 'wait')
    next = gateOnTraffic(next, {
      now,
      sliceMs,
      minEvents,
      handled:
        next.action === 'raise' || next.action === 'finish'
          ? await ports.includedEvents(state.raisedAt ?? now)
          : minEvents,
    });
  if (next.action !== 'raise') return next;
  const missing =
    observed.report.missing.length > 0
      ? [`stop-condition alarms do not exist: ${describeMissing(observed.report.missing)}`]
      : [];
  return holdRaise(next, {
    now,
    sliceMs,
    blockers: [...((await ports.raiseBlockers?.()) ?? []), ...missing],
  });
}

/**
 * One rollout step: reads the stop conditions, the flag and the arming, asks `decide`, holds a step
 * that saw too little included traffic or that something blocks, and carries out a raise or a
 * rollback. The stop conditions stay armed through the plan and its bake time. A raise is recorded
 * as pending before the flag is written, so a rollback in between saves the value before it; a
 * rollback that lands while the step decides wins. The first step refuses to start on an invalid
 * plan, beside another rollout, or when a stop condition's alarm does not exist.
 */
export async function runRolloutStep(
  ports: RolloutPorts,
  input: RolloutInput,
  now: number,
  settings: RolloutStepSettings = {},
): Promise<RolloutStepOutput> {
  const marker = await ports.previousMarker?.();
  const [report, flag, arming] = await Promise.all([
    ports.readStopConditions(),
    ports.readFlag(),
    ports.readArming(),
  ]);
  if (input.state === undefined) await refuseToStart(ports, input, report);
  const observed: Observed = { report, flag, arming, marker };
  let next = await decision(ports, input, observed, now, settings);
  let previousSaved: string | undefined;
  if (next.action === 'raise') {
    const raised = await raise(ports, input, observed, next, now);
    next = raised.decision;
    previousSaved = raised.previousSaved;
  } else if (next.action === 'rollback') {
    previousSaved = await rollBackFlag(ports, preIncidentValue(arming, flag ?? ROLLBACK_FLAG_VALUE, now));
    await ports.writeArming({ armedUntil: arming.armedUntil });
  } else await keepArmed(ports, input, arming, now);
  const output = stepOutcome(input, next, { now, alarms: report.alarms, flagBefore: flag, previousSaved });
  const continueAsNew =
    (output.status === 'raised' || output.status === 'waiting') &&
    (output.turns ?? 0) >= MAX_TURNS_PER_EXECUTION;
  return continueAsNew ? { ...output, turns: 0, continueAsNew: true } : output;
}

/** Keeps the stop conditions armed through the rest of the plan and its bake time. */
async function keepArmed(ports: RolloutPorts, input: RolloutInput, arming: RolloutArming, now: number) {
  const armed = armedThrough(arming, input.plan, input.state ?? { stepIndex: -1 }, now);
  if (armed !== arming) await ports.writeArming(armed);
}

/**
 * Raises the flag: arms through the plan and records the raise as pending, writes the flag, then
 * checks that no rollback landed and no stop condition fired meanwhile (undoing the raise, the
 * value before it saved, when one did) and clears the pending raise.
 */
async function raise(
  ports: RolloutPorts,
  input: RolloutInput,
  observed: Observed,
  raising: Extract<RolloutDecision, { action: 'raise' }>,
  now: number,
): Promise<{ decision: RolloutDecision; previousSaved?: string | undefined }> {
  const from = observed.flag ?? ROLLBACK_FLAG_VALUE;
  const raisedState: RolloutState = {
    stepIndex: raising.stepIndex,
    raisedAt: now,
    lastWritten: raising.flagValue,
  };
  const armed = armedThrough(observed.arming, input.plan, raisedState, now);
  await ports.writeArming({ ...armed, pendingRaise: { from, to: raising.flagValue, at: now } });
  await ports.writeFlag(raising.flagValue);
  const undone = await undoRaiseIfRolledBack(ports, observed.marker, from);
  await ports.writeArming({ armedUntil: armed.armedUntil });
  return undone ?? { decision: raising };
}

/**
 * After a raise: when a rollback saved the flag since the step began (the marker moved) or a stop
 * condition is in ALARM now, the raise must not stand. Turns the flag off again, keeping (or
 * saving) the value from before the raise, and says which rollback won.
 */
async function undoRaiseIfRolledBack(
  ports: RolloutPorts,
  markerBefore: string | undefined,
  from: string,
): Promise<{ decision: RolloutDecision; previousSaved?: string | undefined } | undefined> {
  const markerAfter = await ports.previousMarker?.();
  if (markerAfter !== markerBefore) {
    await ports.writeFlag(ROLLBACK_FLAG_VALUE);
    return {
      decision: {
        action: 'rollback',
        stopCondition: 'concurrent-rollback',
        reason: 'a rollback turned the flag off while this step was raising it; the raise was undone',
      },
      previousSaved: await ports.readPrevious(),
    };
  }
  const [firing] = firingOf(await ports.readStopConditions());
  if (!firing) return undefined;
  const previousSaved = await rollBackFlag(ports, from);
  return {
    decision: {
      action: 'rollback',
      stopCondition: firing.name,
      reason: `${firing.reason ?? `${firing.name} is in ALARM`} (right after the raise; the value before it is what a restore puts back)`,
    },
    previousSaved,
  };
}
