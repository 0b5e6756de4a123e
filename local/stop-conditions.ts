import { anyInAlarm } from '../infra/constructs/composite-rule.ts';
import { auditNotRunningAlarm, auditNotRunningAlarmName } from '../lambda/audit/constants.ts';
import {
  kindAlarmNameUnder,
  STOP_CONDITION_DEFAULTS,
  STOP_CONDITION_KINDS,
  STOP_CONDITION_PERIOD_SECONDS,
  type StopConditionKind,
  type StopConditionSettings,
  stopConditionAlarmDefinitions,
  stopConditionsAlarmName,
} from '../lambda/rollout/constants.ts';
import type { LocalAlarms } from './alarm-evaluator.ts';

/**
 * The local stack's stop conditions: the same alarm definitions the template synthesizes
 * (lambda/rollout/constants.ts), under the same composites (one per condition, the platform's
 * alarms in tournament operations, one top-level composite), and the audit's not-running alarm,
 * all evaluated by the local alarms (local/alarm-evaluator.ts) over the local metric store.
 */

/** The local stack's name in its alarm names, as the stack name is in the deployed ones. */
export const LOCAL_STACK_NAME = 'local';

/** Options of the local stop conditions. */
export interface LocalStopConditionOptions {
  /** Thresholds and M of N. @default the deployed defaults */
  readonly settings?: Partial<StopConditionSettings> | undefined;
  /** The platform's alarms the tournament-operations condition names (they exist once set). @default none */
  readonly platformAlarms?: readonly string[] | undefined;
  /** The scheduled audit's period: its metrics' and its alarms' period. */
  readonly auditPeriodSeconds: number;
  /**
   * The period of the alarms declared on 5-minute data, in seconds, for tests that cannot wait
   * minutes; M of N, thresholds and missing data stay. @default as declared (300)
   */
  readonly periodSeconds?: number | undefined;
}

/** The names the local rollout and rollback read: the top-level composite and the audit's alarm. */
export interface LocalAlarmNames {
  readonly stopConditions: string;
  readonly audit: string;
}

/** Name of one of the integration's own alarms locally: `local-<id>`. */
export const localAlarmName = (id: string) => `${LOCAL_STACK_NAME}-${id}`;

/** Adds the stop conditions' alarms and composites and the audit's alarm to `alarms`. */
export function addLocalStopConditions(
  alarms: LocalAlarms,
  options: LocalStopConditionOptions,
): LocalAlarmNames {
  const settings = { ...STOP_CONDITION_DEFAULTS, ...options.settings };
  const definitions = stopConditionAlarmDefinitions(settings, options.auditPeriodSeconds).map((d) =>
    d.periodSeconds === STOP_CONDITION_PERIOD_SECONDS && options.periodSeconds
      ? { ...d, periodSeconds: options.periodSeconds }
      : d,
  );
  for (const definition of definitions) alarms.addMetricAlarm(localAlarmName(definition.id), definition);
  const top = stopConditionsAlarmName(LOCAL_STACK_NAME);
  const children = (kind: StopConditionKind) => [
    ...definitions.filter((d) => d.kind === kind).map((d) => localAlarmName(d.id)),
    ...(kind === 'tournament-operations' ? (options.platformAlarms ?? []) : []),
  ];
  for (const kind of STOP_CONDITION_KINDS)
    alarms.addCompositeAlarm(
      kindAlarmNameUnder(top, kind),
      anyInAlarm(children(kind).map((reference) => ({ reference, maxLength: reference.length }))),
    );
  alarms.addCompositeAlarm(
    top,
    anyInAlarm(
      STOP_CONDITION_KINDS.map((kind) => ({ reference: kindAlarmNameUnder(top, kind), maxLength: 0 })),
    ),
  );
  const audit = auditNotRunningAlarmName(LOCAL_STACK_NAME);
  alarms.addMetricAlarm(audit, auditNotRunningAlarm(options.auditPeriodSeconds));
  return { stopConditions: top, audit };
}
