import { parseFlag } from '../../shared/contract/flag.ts';
import { DEFAULT_BAKE_MS, type RolloutArming, TURN_TASK_BUDGET_SECONDS } from '../constants.ts';
import type { RolloutPlan, RolloutState } from './rollout.ts';

/**
 * When the stop conditions roll the flag back, and which value a rollback saves. Pure. The rollout
 * step writes the arming (`<flag>/rollout-state`); the rollback function reads it on every alarm
 * and every change of the flag.
 */

/** A raise written but not yet confirmed by the check after it. */
export type PendingRaise = NonNullable<RolloutArming['pendingRaise']>;

/**
 * How long a pending raise speaks for the flag: the step confirms (or undoes) its raise in the same
 * turn, and a turn with every retry of its task ends within {@link TURN_TASK_BUDGET_SECONDS}. An
 * older pending raise is a step that died, not a raise in flight.
 */
export const PENDING_RAISE_TTL_MS = TURN_TASK_BUDGET_SECONDS * 1000;

/** Whether a stop condition in ALARM rolls the flag back at `now`; otherwise it pages only. */
export function isArmed(arming: RolloutArming, now: number): boolean {
  return now < arming.armedUntil;
}

/**
 * When the plan's last hold ends at the earliest, from where the rollout is at `now`: the current
 * hold's end (never before now: a hold that waits for traffic ends later) plus the later steps' waits.
 */
export function plannedEnd(plan: RolloutPlan, state: RolloutState, now: number): number {
  const index = state.stepIndex;
  const current = index < 0 ? now : Math.max(now, (state.raisedAt ?? now) + (plan.waitsMs[index] ?? 0));
  return plan.waitsMs.slice(index + 1).reduce((sum, wait) => sum + wait, current);
}

/**
 * The arming a rollout step leaves: armed at least until the bake time after the planned end, never
 * shortened (a longer arming an operator or an earlier rollout set stays).
 */
export function armedThrough(
  arming: RolloutArming,
  plan: RolloutPlan,
  state: RolloutState,
  now: number,
): RolloutArming {
  const until = plannedEnd(plan, state, now) + (plan.bakeMs ?? DEFAULT_BAKE_MS);
  return until > arming.armedUntil ? { ...arming, armedUntil: until } : arming;
}

/** The pending raise that still speaks for the flag: recent, and the flag holds what it wrote. */
export function pendingRaiseOf(
  arming: RolloutArming,
  currentFlag: string | undefined,
  now: number,
): PendingRaise | undefined {
  const pending = arming.pendingRaise;
  if (!pending || currentFlag === undefined || pending.to !== currentFlag) return undefined;
  return now - pending.at <= PENDING_RAISE_TTL_MS ? pending : undefined;
}

/**
 * The value a rollback saves for `tpi flag restore`: the value before the incident. While a raise is
 * pending (written, not yet confirmed by the check after it), that is the value before the raise;
 * otherwise the flag as it is.
 */
export function preIncidentValue(arming: RolloutArming, currentFlag: string, now: number): string {
  return pendingRaiseOf(arming, currentFlag, now)?.from ?? currentFlag;
}

/** How much of the traffic a flag value lets in, 0 (off, or a value that is not valid) to 100. */
export function flagLevel(value: string | undefined): number {
  if (value === undefined) return 0;
  const setting = parseFlag(value);
  if (setting.mode === 'on') return 100;
  return setting.mode === 'percentage' ? setting.percentage : 0;
}

/** Whether going from `from` to `to` lets more users in: a raise. Lowering is always allowed. */
export function isRaise(from: string | undefined, to: string): boolean {
  return flagLevel(to) > flagLevel(from);
}
