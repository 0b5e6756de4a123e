import { type AlarmRecord, alarmNamesInRule } from '../lambda/rollout/application/stop-conditions.ts';
import type { AlarmState } from '../lambda/rollout/domain/rollout.ts';
import { LocalAlarms } from './alarm-evaluator.ts';
import { requireString } from './aws-json.ts';
import type { OperationHandler } from './endpoint.ts';
import { AwsServiceError } from './errors.ts';
import { LocalMetrics } from './metric-feeds.ts';
import { LocalMetricStore } from './metric-store.ts';
import {
  addLocalStopConditions,
  type LocalAlarmNames,
  type LocalStopConditionOptions,
} from './stop-conditions.ts';

/**
 * The local CloudWatch: the metric store the local stack feeds, the stop conditions' alarms over it
 * evaluated on a timer, and the two alarm calls of the CloudWatch API the CLI and the AWS CLI use
 * (`DescribeAlarms`, `SetAlarmState`), answered in CloudWatch's JSON protocol.
 */

/** Options of {@link startLocalCloudWatch}. */
export interface LocalCloudWatchOptions extends LocalStopConditionOptions {
  /** @default Date.now */
  readonly now?: () => number;
}

/** The running local CloudWatch. */
export interface LocalCloudWatch {
  readonly metrics: LocalMetrics;
  readonly alarms: LocalAlarms;
  readonly names: LocalAlarmNames;
  /** `X-Amz-Target` → handler, for the local endpoint. */
  readonly operations: Readonly<Record<string, OperationHandler>>;
  stop(): void;
}

/** CloudWatch's JSON target prefix (the SDK's `GraniteServiceVersion20100801.<Operation>`). */
export const CLOUDWATCH_TARGET = 'GraniteServiceVersion20100801';
const STATES: readonly AlarmState['state'][] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];

/** Starts the local CloudWatch with the stop conditions' alarms, evaluated several times a period. */
export function startLocalCloudWatch(options: LocalCloudWatchOptions): LocalCloudWatch {
  const now = options.now ?? Date.now;
  const shortest = Math.min(options.periodSeconds ?? 60, options.auditPeriodSeconds);
  const store = new LocalMetricStore({ now, retentionMs: Math.max(3_600_000, shortest * 1000 * 20) });
  const alarms = new LocalAlarms({ store, now });
  const names = addLocalStopConditions(alarms, options);
  const timer = setInterval(() => alarms.evaluate(), Math.min(5000, Math.max(50, (shortest * 1000) / 10)));
  return {
    metrics: new LocalMetrics(store),
    alarms,
    names,
    operations: cloudWatchOperations(alarms),
    stop: () => clearInterval(timer),
  };
}

const arnOf = (name: string) => `arn:aws:cloudwatch:us-east-1:000000000000:alarm:${name}`;

function shapeOf(entry: ReturnType<LocalAlarms['all']>[number]) {
  const { record } = entry;
  return {
    AlarmName: record.name,
    AlarmArn: arnOf(record.name),
    StateValue: record.state,
    StateReason: record.reason,
    StateUpdatedTimestamp: entry.updatedAt / 1000,
    ...(entry.description ? { AlarmDescription: entry.description } : {}),
    ...(record.rule !== undefined ? { AlarmRule: record.rule } : {}),
  };
}

/**
 * `DescribeAlarms`: by `AlarmNames` (at most 100), `ChildrenOfAlarmName` (only names, ARNs,
 * states and timestamps, and no other parameter but `MaxRecords` and `NextToken`), or all; metric
 * alarms only unless `AlarmTypes` asks for composites, as CloudWatch answers.
 */
function describeAlarms(alarms: LocalAlarms, input: Record<string, unknown>) {
  const children = input.ChildrenOfAlarmName;
  if (children !== undefined) {
    const others = Object.keys(input).filter(
      (k) => !['ChildrenOfAlarmName', 'MaxRecords', 'NextToken'].includes(k),
    );
    if (others.length > 0)
      throw new AwsServiceError(
        'ValidationError',
        `ChildrenOfAlarmName cannot be used with ${others.join(', ')}.`,
      );
  }
  const names = input.AlarmNames as string[] | undefined;
  if (names && names.length > 100)
    throw new AwsServiceError('ValidationError', 'AlarmNames has at most 100 members.');
  const types = (input.AlarmTypes as string[] | undefined) ?? ['MetricAlarm'];
  const childNames =
    typeof children === 'string'
      ? new Set(alarmNamesInRule(alarms.all().find((a) => a.record.name === children)?.record.rule ?? ''))
      : undefined;
  const selected = alarms
    .all()
    .filter(
      (entry) =>
        (childNames ? childNames.has(entry.record.name) : true) &&
        (!names || names.includes(entry.record.name)) &&
        (childNames !== undefined ||
          types.includes(entry.record.rule !== undefined ? 'CompositeAlarm' : 'MetricAlarm')),
    );
  const brief = childNames !== undefined;
  const shaped = (entry: (typeof selected)[number]) => {
    const full = shapeOf(entry);
    return brief
      ? {
          AlarmName: full.AlarmName,
          AlarmArn: full.AlarmArn,
          StateValue: full.StateValue,
          StateUpdatedTimestamp: full.StateUpdatedTimestamp,
        }
      : full;
  };
  return {
    MetricAlarms: selected.filter((e) => e.record.rule === undefined).map(shaped),
    CompositeAlarms: selected.filter((e) => e.record.rule !== undefined).map(shaped),
  };
}

/** `SetAlarmState`; an alarm the stack does not define is created (the platform's, locally). */
function setAlarmState(alarms: LocalAlarms, input: Record<string, unknown>) {
  const name = requireString(input, 'AlarmName');
  const state = requireString(input, 'StateValue') as AlarmRecord['state'];
  if (!STATES.includes(state))
    throw new AwsServiceError('ValidationError', `StateValue must be one of ${STATES.join(', ')}.`);
  const reason = typeof input.StateReason === 'string' ? input.StateReason : `set to ${state}`;
  alarms.setAlarmState(name, state, reason);
  return {};
}

/** The local endpoint's CloudWatch operations, and the local stack's own name for `SetAlarmState`. */
export function cloudWatchOperations(alarms: LocalAlarms): Record<string, OperationHandler> {
  return {
    [`${CLOUDWATCH_TARGET}.DescribeAlarms`]: (input) => describeAlarms(alarms, input),
    [`${CLOUDWATCH_TARGET}.SetAlarmState`]: (input) => setAlarmState(alarms, input),
    'TournamentProfileLocal.SetAlarmState': (input) => setAlarmState(alarms, input),
  };
}
