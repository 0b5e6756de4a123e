import { ROLLBACK_FLAG_VALUE, type RolloutArming } from '../constants.ts';
import { flagLevel, isArmed, isRaise, pendingRaiseOf, preIncidentValue } from '../domain/arming.ts';
import { forcedRaiseOf } from '../domain/force.ts';
import { type ArmingPorts, type FlagPorts, type FlagVersion, rollBackFlag } from './flag.ts';
import { describeFiring, firingOf, type StopConditionsReport } from './stop-conditions.ts';

/**
 * The rollback function's two use cases: the stop-conditions composite went into ALARM, and the
 * flag changed. Both roll back only while the stop conditions are armed (a rollout and its bake
 * time); outside that window a stop condition pages only, and the result says so.
 */

/** What the rollback function reads and writes. */
export interface RollbackPorts extends ArmingPorts {
  readonly flag: FlagPorts;
  readStopConditions(): Promise<StopConditionsReport>;
  /** The flag's latest versions, oldest first (at least the last two when there are two). */
  latestFlagVersions(): Promise<readonly FlagVersion[]>;
}

/** What the rollback function did, and why: also what the alarm topic receives. */
export interface RollbackOutcome {
  readonly action: 'rolled-back' | 'already-off' | 'paged' | 'ignored' | 'left-forced';
  readonly flag: string | undefined;
  /** The value saved for `tpi flag restore`, when one was. */
  readonly previous?: string | undefined;
  /** The stop conditions in ALARM. */
  readonly firing: string;
  readonly message: string;
}

const armedText = (arming: RolloutArming) =>
  arming.armedUntil > 0
    ? `the stop conditions were armed until ${new Date(arming.armedUntil).toISOString()}`
    : 'no rollout has armed the stop conditions';

/** Turns the flag off, saving the value before the incident, and clears a pending raise. */
async function rollBack(ports: RollbackPorts, arming: RolloutArming, now: number, preIncident?: string) {
  const current = await ports.flag.readFlag();
  const previous =
    current === undefined
      ? undefined
      : await rollBackFlag(ports.flag, preIncident ?? preIncidentValue(arming, current, now));
  if (arming.pendingRaise) await ports.writeArming({ armedUntil: arming.armedUntil });
  return { current, previous };
}

/**
 * The stop-conditions composite went into ALARM. Armed: save the pre-incident value (the value
 * before a raise still pending) and turn the flag off. Not armed: leave the flag and say why.
 */
export async function onStopConditionAlarm(ports: RollbackPorts, now: number): Promise<RollbackOutcome> {
  const [report, arming] = await Promise.all([ports.readStopConditions(), ports.readArming()]);
  const firing = describeFiring(firingOf(report)) || `${report.top.name} was in ALARM`;
  if (!isArmed(arming, now)) {
    const flag = await ports.flag.readFlag();
    return {
      action: 'paged',
      flag,
      firing,
      message: `stop condition in ALARM: ${firing}. Not armed (${armedText(arming)}): the flag stays ${flag ?? 'unset'}; this pages only. Fix the cause; roll back by hand with \`tpi flag set off\` if it must.`,
    };
  }
  const { current, previous } = await rollBack(ports, arming, now);
  if (flagLevel(current) === 0)
    return {
      action: 'already-off',
      flag: current,
      firing,
      message: `stop condition in ALARM: ${firing}. The flag was already off (${current ?? 'unset'}); the saved value is left as it is.`,
    };
  return {
    action: 'rolled-back',
    flag: ROLLBACK_FLAG_VALUE,
    previous,
    firing,
    message: `stop condition in ALARM: ${firing}. The flag was "${current}" and is now ${ROLLBACK_FLAG_VALUE}; ${previous ? `"${previous}" (the value before the incident) is saved. Fix the cause, then \`tpi flag restore\`.` : 'the value before the incident was off, so the saved value is left as it is.'}`,
  };
}

/**
 * The flag changed. A raise written while armed and a stop condition is in ALARM is undone (flag
 * off, the value before the raise saved) unless it was forced: a forced raise is left alone and
 * who raised it and why is said. Lowering, the rollback's own `off` included, is left alone.
 */
export async function onFlagChange(ports: RollbackPorts, now: number): Promise<RollbackOutcome> {
  const versions = await ports.latestFlagVersions();
  const latest = versions.at(-1);
  const before = versions.at(-2);
  const ignored = (message: string): RollbackOutcome => ({
    action: 'ignored',
    flag: latest?.value,
    firing: '',
    message,
  });
  if (!latest || !isRaise(before?.value, latest.value))
    return ignored(`flag change to ${latest?.value ?? 'nothing'} is not a raise: nothing to check`);
  const by = latest.user ? ` by ${latest.user}` : '';
  const change = `the flag was raised from ${before?.value ?? 'nothing'} to ${latest.value}${by}`;
  const forced = forcedRaiseOf(latest.description, latest.version);
  if (forced)
    return {
      action: 'left-forced',
      flag: latest.value,
      firing: '',
      message: `${change} with --force (asked by ${forced.by}): "${forced.reason}". Left alone.`,
    };
  const arming = await ports.readArming();
  if (!isArmed(arming, now)) return ignored(`${change}; ${armedText(arming)}: nothing to undo`);
  const firing = firingOf(await ports.readStopConditions());
  if (firing.length === 0) return ignored(`${change}; no stop condition is in ALARM`);
  const pending = pendingRaiseOf(arming, latest.value, now);
  const { previous } = await rollBack(ports, arming, now, pending?.from ?? before?.value);
  return {
    action: 'rolled-back',
    flag: ROLLBACK_FLAG_VALUE,
    previous,
    firing: describeFiring(firing),
    message: `${change} while armed and stop condition(s) in ALARM: ${describeFiring(firing)}. Undone: the flag is ${ROLLBACK_FLAG_VALUE}${previous ? ` and "${previous}" is saved` : ''}. To raise anyway: \`tpi flag set ${latest.value} --force --reason "why"\`.`,
  };
}
