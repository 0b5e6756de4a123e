import type { StopConditionKind } from './stop-conditions.ts';

/** A progressive rollout: raise the flag through `steps`, holding each for its wait. */
export interface RolloutPlan {
  /** Percentages, ascending, each 1–100. */
  readonly steps: readonly number[];
  /** Milliseconds to hold each step (watching the alarms) before the next raise or the end. */
  readonly waitsMs: readonly number[];
  /**
   * Events the integration must have handled during a step before its hold may end: time without
   * traffic proves nothing, so a quiet step keeps waiting. @default the deployment's setting
   */
  readonly minEventsPerStep?: number | undefined;
}

/**
 * Default events a step must handle before it counts as held: enough that the 0.1% error rate is
 * measurable (one error in 1,000) and every stop condition saw real traffic.
 */
export const DEFAULT_MIN_EVENTS_PER_STEP = 1000;

/** Where a rollout is. `stepIndex` is -1 before the first raise. */
export interface RolloutState {
  readonly stepIndex: number;
  /** When the current step was raised (epoch ms); unset before the first raise. */
  readonly raisedAt?: number | undefined;
  /** The flag value the rollout last wrote; unset before it wrote any. */
  readonly lastWritten?: string | undefined;
}

/** A stop condition and its state, as CloudWatch (or the local counters) report it. */
export interface AlarmState {
  readonly name: string;
  readonly state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  readonly reason?: string | undefined;
}

/** What to do next. */
export type RolloutDecision =
  | {
      readonly action: 'raise';
      readonly stepIndex: number;
      readonly percentage: number;
      readonly flagValue: string;
    }
  | { readonly action: 'wait'; readonly until: number; readonly reason?: string | undefined }
  | { readonly action: 'rollback'; readonly alarm: string; readonly reason: string }
  | { readonly action: 'stop'; readonly reason: string }
  | { readonly action: 'finish' };

/** The rollout plan of the original manual process: 10 → 25 → 50 → 100 over seven days. */
export const DEFAULT_PLAN: RolloutPlan = {
  steps: [10, 25, 50, 100],
  waitsMs: [1, 2, 2, 2].map((days) => days * 24 * 60 * 60 * 1000),
};

/** The flag value written for a percentage (`on` for 100, the number otherwise). */
export function flagValueFor(percentage: number): string {
  return percentage >= 100 ? 'on' : String(percentage);
}

/** Checks a plan and explains what is wrong with it. */
export function validatePlan(plan: RolloutPlan): string[] {
  const problems: string[] = [];
  if (plan.steps.length === 0) problems.push('at least one step is needed');
  if (plan.steps.length !== plan.waitsMs.length)
    problems.push(`${plan.steps.length} steps but ${plan.waitsMs.length} waits: give one wait per step`);
  plan.steps.forEach((p, i) => {
    if (!Number.isInteger(p) || p < 1 || p > 100)
      problems.push(`step ${i + 1} (${p}) must be an integer from 1 to 100`);
    if (i > 0 && p <= (plan.steps[i - 1] ?? 0))
      problems.push(`steps must rise: ${plan.steps[i - 1]} then ${p}`);
  });
  for (const w of plan.waitsMs) if (!(w >= 0)) problems.push(`wait ${w} must be ≥ 0`);
  const min = plan.minEventsPerStep;
  if (min !== undefined && !(Number.isInteger(min) && min >= 0))
    problems.push(`minEventsPerStep ${min} must be a whole number ≥ 0`);
  return problems;
}

/**
 * The one rollout decision, shared by the Step Functions task and the local runner. Order matters:
 * an alarm always wins (roll back); then an operator's manual change of the flag stops the rollout
 * (the operator wins); then time decides between waiting, raising and finishing.
 */
export function decide(
  plan: RolloutPlan,
  state: RolloutState,
  context: {
    readonly now: number;
    readonly alarms: readonly AlarmState[];
    readonly currentFlag: string | undefined;
  },
): RolloutDecision {
  const firing = context.alarms.find((a) => a.state === 'ALARM');
  if (firing)
    return { action: 'rollback', alarm: firing.name, reason: firing.reason ?? `${firing.name} is in ALARM` };

  if (
    state.lastWritten !== undefined &&
    context.currentFlag !== undefined &&
    context.currentFlag.trim().toLowerCase() !== state.lastWritten.toLowerCase()
  )
    return {
      action: 'stop',
      reason: `the flag was changed by hand to "${context.currentFlag}" (the rollout had set "${state.lastWritten}"): the operator wins`,
    };

  const next = state.stepIndex + 1;
  if (state.stepIndex >= 0) {
    const holdUntil = (state.raisedAt ?? context.now) + (plan.waitsMs[state.stepIndex] ?? 0);
    if (context.now < holdUntil) return { action: 'wait', until: holdUntil };
  }
  if (next >= plan.steps.length) return { action: 'finish' };
  const percentage = plan.steps[next] as number;
  return { action: 'raise', stepIndex: next, percentage, flagValue: flagValueFor(percentage) };
}

/**
 * Holds a step that saw too little traffic: a raise or the end that `decide` allowed on time alone
 * waits another `sliceMs` while fewer than `minEvents` events were handled since the raise.
 */
export function gateOnTraffic(
  decision: RolloutDecision,
  context: {
    readonly now: number;
    readonly sliceMs: number;
    readonly minEvents: number;
    readonly handled: number;
  },
): RolloutDecision {
  if (decision.action !== 'raise' && decision.action !== 'finish') return decision;
  if (context.handled >= context.minEvents) return decision;
  return {
    action: 'wait',
    until: context.now + context.sliceMs,
    reason: `${context.handled} of ${context.minEvents} events handled since the step began: a step without traffic does not count as held`,
  };
}

/** The value a rollback writes. */
export const ROLLBACK_FLAG_VALUE = 'off';
/** What the `previous` parameter holds before any rollback saved a value there. */
export const NOTHING_SAVED = 'none';
/** How long one Wait lasts at most when the machine input does not say: alarms are re-checked after it. */
export const DEFAULT_WAIT_SLICE_SECONDS = 300;
/**
 * Check-and-wait turns one execution runs before it continues as a new execution with its state.
 * A turn is 9 history events (task: 5, choice: 2, wait: 2), so 2,000 turns are 18,000 events,
 * under the 25,000 a standard workflow may have: any plan fits, however long or quiet.
 */
export const MAX_TURNS_PER_EXECUTION = 2000;
/** History events one check-and-wait turn adds to an execution. */
export const HISTORY_EVENTS_PER_TURN = 9;

/** Where a rollback keeps the value it replaced: next to the flag, so one name derives the other. */
export function previousFlagParameterName(flagParameterName: string): string {
  return `${flagParameterName}/previous`;
}

/**
 * Where the rollout keeps whether the stop conditions are armed (they roll back only from
 * `rollout start` until a bake time after the last step) and a raise not yet confirmed: next to
 * the flag, read by the rollback function on every alarm and flag change.
 */
export function rolloutStateParameterName(flagParameterName: string): string {
  return `${flagParameterName}/rollout-state`;
}

/** What the rollout state parameter holds (JSON). */
export interface RolloutArming {
  /** Until when (epoch ms) a stop condition in ALARM rolls the flag back; before that time: armed. */
  readonly armedUntil: number;
  /**
   * A raise written but not yet confirmed by the check after it: an alarm in between must save
   * `from` (the value before the incident), not the raised value. Unset when none is pending.
   */
  readonly pendingRaise?: { readonly from: string; readonly to: string; readonly at: number } | undefined;
}

/** The rollout state a deploy creates when the parameter is absent: nothing armed, nothing pending. */
export const NOT_ARMED: RolloutArming = { armedUntil: 0 };

/**
 * How long the stop conditions stay armed after the last step (the plan's last phase, like
 * AppConfig's bake time); `tpi rollout start --bake` sets another.
 */
export const DEFAULT_BAKE_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Longest single Wait of the rollout machine (`--slice` and the stack's default are capped to it,
 * and the machine itself never waits longer): what bounds one execution's duration below.
 */
export const MAX_WAIT_SLICE_SECONDS = 900;

/**
 * Longest the task of one turn can take: the step function's 30-second timeout over at most 12
 * attempts (the machine retries AWS errors 5 times and Lambda service errors 6 times) plus the
 * backoff between them (10 + 20 + ... + 160 s and 2 + 4 + ... + 64 s): 796 s, rounded up.
 */
export const TURN_TASK_BUDGET_SECONDS = 900;

/**
 * The rollout machine's `TimeoutSeconds`: an execution runs at most {@link MAX_TURNS_PER_EXECUTION}
 * turns (then it continues as a new execution), each at most one capped Wait and one task, plus a
 * day of margin. About 43 days: an execution past it is stuck, and `ExecutionsTimedOut` says so.
 */
export function rolloutExecutionTimeoutSeconds(): number {
  return MAX_TURNS_PER_EXECUTION * (MAX_WAIT_SLICE_SECONDS + TURN_TASK_BUDGET_SECONDS) + 24 * 60 * 60;
}

/** Environment variables the stack gives the rollout functions (step and rollback). */
export const ROLLOUT_ENVIRONMENT = {
  flagParameterName: 'FLAG_PARAMETER_NAME',
  /** The top-level stop-conditions composite alarm; its children are read with `ChildrenOfAlarmName`. */
  stopConditionsAlarmName: 'STOP_CONDITIONS_ALARM_NAME',
  rolloutStateParameterName: 'ROLLOUT_STATE_PARAMETER_NAME',
  waitSliceSeconds: 'ROLLOUT_WAIT_SLICE_SECONDS',
  minEventsPerStep: 'ROLLOUT_MIN_EVENTS_PER_STEP',
  recordingFunctionName: 'RECORDING_FUNCTION_NAME',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
} as const;

/** Name of the composite alarm that is in ALARM while any stop condition is: `<stack>-StopConditions`. */
export function stopConditionsAlarmName(stackName: string): string {
  return `${stackName}-StopConditions`;
}

/** Name of the composite alarm of one stop condition: `<stack>-StopConditions-<Kind>`. */
export function stopConditionKindAlarmName(stackName: string, kind: StopConditionKind): string {
  const pascal = kind.replace(/(^|-)([a-z])/g, (_, __, letter: string) => letter.toUpperCase());
  return `${stopConditionsAlarmName(stackName)}-${pascal}`;
}
