import { kindAlarmNameUnder, STOP_CONDITION_KINDS, type StopConditionKind } from '../constants.ts';
import type { AlarmState } from '../domain/rollout.ts';
import { StopConditionMissingError } from '../errors.ts';

/**
 * The stop conditions as the rollout functions, the CLI and the local stack read them: from the
 * one top-level composite alarm down its children (per-condition composites, then the metric
 * alarms and the platform's alarms), so no list of alarm names travels in an environment variable.
 */

/** One alarm as CloudWatch's `DescribeAlarms` returns it. */
export interface AlarmRecord {
  readonly name: string;
  readonly state: AlarmState['state'];
  readonly reason?: string | undefined;
  /** A composite alarm's rule (`AlarmRule`); unset for a metric alarm. */
  readonly rule?: string | undefined;
}

/** A child of a composite alarm, as `DescribeAlarms` with `ChildrenOfAlarmName` returns it. */
export interface AlarmChild {
  readonly name: string;
  readonly state: AlarmState['state'];
  readonly composite: boolean;
}

/** CloudWatch's alarms, as far as the stop conditions need them. */
export interface AlarmDirectory {
  /** The named alarms that exist, metric or composite (`AlarmNames`); absent names are left out. */
  describe(names: readonly string[]): Promise<AlarmRecord[]>;
  /** The existing alarms a composite's rule names (`ChildrenOfAlarmName`). */
  children(compositeName: string): Promise<AlarmChild[]>;
}

/** An alarm a composite's rule names that does not exist. */
export interface MissingAlarm {
  readonly name: string;
  /** The composite whose rule names it. */
  readonly namedBy: string;
}

/** What the stop conditions say now. */
export interface StopConditionsReport {
  /** The top-level composite, in ALARM while any condition is. */
  readonly top: AlarmState;
  /** Every alarm under it that is not a composite, with the condition it belongs to. */
  readonly alarms: readonly AlarmState[];
  /** Alarms a composite names that CloudWatch does not know: those conditions cannot fire. */
  readonly missing: readonly MissingAlarm[];
}

/** The alarm names a composite rule refers to (`ALARM("x")`, `OK(x)`, ...), ARNs read as names. */
export function alarmNamesInRule(rule: string): string[] {
  const names = [...rule.matchAll(/\b(?:ALARM|OK|INSUFFICIENT_DATA)\(\s*("?)(.+?)\1\s*\)/g)].map(
    (match) => match[2] as string,
  );
  return [
    ...new Set(
      names.map((name) => (name.includes(':alarm:') ? name.slice(name.lastIndexOf(':alarm:') + 7) : name)),
    ),
  ];
}

/** The condition a child of the top-level composite stands for, from its name. */
function kindOf(topName: string, childName: string): StopConditionKind | undefined {
  return STOP_CONDITION_KINDS.find((kind) => {
    const name = kindAlarmNameUnder(topName, kind);
    return childName === name || childName.startsWith(`${name}-`);
  });
}

/**
 * Reads the stop conditions from the top-level composite `topName` down: each composite's
 * children, the reasons of those in ALARM, and the alarms a rule names that do not exist. Throws
 * when the top-level composite itself does not exist.
 */
export async function readStopConditions(
  directory: AlarmDirectory,
  topName: string,
): Promise<StopConditionsReport> {
  const [top] = await directory.describe([topName]);
  if (!top)
    throw new StopConditionMissingError(
      `the stop-conditions alarm ${topName} does not exist: deploy the stack (it creates it), or check STOP_CONDITIONS_ALARM_NAME / the StopConditionsAlarmName output`,
    );
  const alarms: AlarmState[] = [];
  const missing: MissingAlarm[] = [];
  const seen = new Set([top.name]);
  let level: { record: AlarmRecord; kind: StopConditionKind | undefined }[] = [
    { record: top, kind: undefined },
  ];
  while (level.length > 0) {
    const next: typeof level = [];
    for (const { record, kind } of level) {
      const children = (await directory.children(record.name)).filter((child) => !seen.has(child.name));
      const found = new Set(children.map((child) => child.name));
      for (const name of alarmNamesInRule(record.rule ?? ''))
        if (!found.has(name) && !seen.has(name)) missing.push({ name, namedBy: record.name });
      for (const child of children) seen.add(child.name);
      const details = await detailsOf(directory, children);
      for (const child of children) {
        const childKind = kind ?? kindOf(topName, child.name);
        const detail = details.get(child.name);
        if (child.composite && detail) next.push({ record: detail, kind: childKind });
        else if (!child.composite)
          alarms.push({ name: child.name, state: child.state, reason: detail?.reason, kind: childKind });
      }
    }
    level = next;
  }
  return { top: { name: top.name, state: top.state, reason: top.reason }, alarms, missing };
}

/** Rules of the composite children and reasons of the children in ALARM: what `ChildrenOfAlarmName` leaves out. */
async function detailsOf(
  directory: AlarmDirectory,
  children: readonly AlarmChild[],
): Promise<Map<string, AlarmRecord>> {
  const wanted = children.filter((child) => child.composite || child.state === 'ALARM').map((c) => c.name);
  if (wanted.length === 0) return new Map();
  return new Map((await directory.describe(wanted)).map((record) => [record.name, record]));
}

/**
 * The stop conditions in ALARM, most specific first: the alarms under the top-level composite; the
 * composite itself when it is in ALARM and none of them is any more (it changes state after them).
 */
export function firingOf(report: StopConditionsReport): AlarmState[] {
  const firing = report.alarms.filter((alarm) => alarm.state === 'ALARM');
  return firing.length > 0 || report.top.state !== 'ALARM' ? firing : [report.top];
}

/** One line per alarm in ALARM, with the condition and the reason: what errors and logs say. */
export function describeFiring(firing: readonly AlarmState[]): string {
  return firing
    .map(
      (alarm) =>
        `${alarm.name}${alarm.kind ? ` (${alarm.kind})` : ''}${alarm.reason ? `: ${alarm.reason}` : ''}`,
    )
    .join('; ');
}

/** One line per missing alarm, naming the composite that names it. */
export function describeMissing(missing: readonly MissingAlarm[]): string {
  return missing.map((alarm) => `${alarm.name} (named by ${alarm.namedBy})`).join(', ');
}

/**
 * Why raises must wait although no stop condition fires: the scheduled audit stopped (its alarm is
 * in ALARM), so duplicates would go unseen. It never rolls back.
 */
export async function auditBlockers(directory: AlarmDirectory, auditAlarmName: string): Promise<string[]> {
  const [audit] = await directory.describe([auditAlarmName]);
  if (audit?.state !== 'ALARM') return [];
  return [
    `the scheduled audit is not running (${audit.name} is in ALARM${audit.reason ? `: ${audit.reason}` : ''})`,
  ];
}
