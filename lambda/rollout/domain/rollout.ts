import type { StopConditionKind } from '../constants.ts';

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
  /**
   * How long the stop conditions stay armed after the last step's hold ended, in ms (they page only
   * after it). @default DEFAULT_BAKE_MS (7 days)
   */
  readonly bakeMs?: number | undefined;
}

/** Where a rollout is. `stepIndex` is -1 before the first raise. */
export interface RolloutState {
  readonly stepIndex: number;
  /** When the current step was raised (epoch ms); unset before the first raise. */
  readonly raisedAt?: number | undefined;
  /** The flag value the rollout last wrote; unset before it wrote any. */
  readonly lastWritten?: string | undefined;
}

/** A stop condition and its state, as CloudWatch (or the local alarm evaluator) reports it. */
export interface AlarmState {
  readonly name: string;
  readonly state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  readonly reason?: string | undefined;
  /** The rollout plan's condition it belongs to (the composite it is under). */
  readonly kind?: StopConditionKind | undefined;
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
  | { readonly action: 'rollback'; readonly stopCondition: string; readonly reason: string }
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
  if (plan.bakeMs !== undefined && !(plan.bakeMs >= 0)) problems.push(`bake ${plan.bakeMs} must be ≥ 0`);
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
    return {
      action: 'rollback',
      stopCondition: firing.name,
      reason: firing.reason ?? `${firing.name} is in ALARM`,
    };

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

/**
 * Holds a raise while something outside the stop conditions forbids it (the audit stopped, a
 * stop condition's alarm does not exist): the step waits another `sliceMs` and says why. Rollbacks,
 * holds and the end are not held.
 */
export function holdRaise(
  decision: RolloutDecision,
  context: { readonly now: number; readonly sliceMs: number; readonly blockers: readonly string[] },
): RolloutDecision {
  if (decision.action !== 'raise' || context.blockers.length === 0) return decision;
  return {
    action: 'wait',
    until: context.now + context.sliceMs,
    reason: `no raise while ${context.blockers.join('; ')}`,
  };
}
