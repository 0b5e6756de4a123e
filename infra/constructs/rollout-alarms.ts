import { Duration } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IRule } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { onAnyOccurrence } from './alarm-metrics.ts';

/** What the rollback path is made of: each of its failure places alarms. */
export interface RollbackPath {
  readonly rollbackFunction: IFunction;
  /** The rules that invoke the rollback function (alarm state changes, flag changes). */
  readonly rules: readonly IRule[];
  readonly rollbackDeadLetters: IQueue;
  readonly rollbackFailures: IQueue;
  readonly stateMachine: StateMachine;
}

const MINUTE = Duration.minutes(1);
const SET_OFF_BY_HAND =
  'Check the flag now (`tpi flag get`) and set it off by hand if a stop condition is in ALARM (`tpi flag set off`)';

/**
 * The rollback path's own alarms, children of `scope` (the rollout construct): a rollback that did
 * not happen pages at once. None of them is a stop condition.
 */
export function addRollbackAlarms(scope: Construct, path: RollbackPath): Alarm[] {
  return [
    ...rollbackFunctionAlarms(scope, path.rollbackFunction),
    ...ruleAlarms(scope, path.rules),
    ...queueAlarms(scope, path),
    ...rolloutExecutionAlarms(scope, path.stateMachine),
  ];
}

/** The rollback function failed, was throttled, ran late or lost an outcome. */
function rollbackFunctionAlarms(scope: Construct, rollback: IFunction): Alarm[] {
  return [
    rollback
      .metricErrors({ statistic: 'Sum', period: MINUTE })
      .createAlarm(
        scope,
        'RollbackErrors',
        onAnyOccurrence(
          `The rollback function failed: a stop condition may have fired without turning the flag off. ${SET_OFF_BY_HAND}, then read the function logs.`,
        ),
      ),
    rollback
      .metricThrottles({ statistic: 'Sum', period: MINUTE })
      .createAlarm(
        scope,
        'RollbackThrottles',
        onAnyOccurrence(
          `The rollback function was throttled (its reserved concurrency was in use): a rollback may be late. ${SET_OFF_BY_HAND}; Lambda retries the event.`,
        ),
      ),
    rollback
      .metric('AsyncEventAge', { statistic: 'Maximum', period: MINUTE })
      .createAlarm(scope, 'RollbackAsyncEventAge', {
        alarmDescription: `An alarm or flag event waited more than a minute before the rollback function ran (throttles or retried failures): the rollback is late. ${SET_OFF_BY_HAND}.`,
        threshold: 60_000,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    rollback
      .metric('DestinationDeliveryFailures', { statistic: 'Sum', period: MINUTE })
      .createAlarm(
        scope,
        'RollbackDestinationDeliveryFailures',
        onAnyOccurrence(
          `Lambda could not hand a rollback's outcome to its destination (the failure queue or the alarm topic): a failed rollback may be unrecorded. ${SET_OFF_BY_HAND}, then check the queue and topic policies.`,
        ),
      ),
  ];
}

/** EventBridge could not invoke the rollback function. */
function ruleAlarms(scope: Construct, rules: readonly IRule[]): Alarm[] {
  return rules.map((rule, i) =>
    new Metric({
      namespace: 'AWS/Events',
      metricName: 'FailedInvocations',
      dimensionsMap: { RuleName: rule.ruleName },
      statistic: 'Sum',
      period: MINUTE,
    }).createAlarm(
      scope,
      i === 0 ? 'RollbackRuleFailedInvocations' : `RollbackRule${i + 1}FailedInvocations`,
      onAnyOccurrence(
        `EventBridge failed to invoke the rollback function from rule ${i + 1} (${i === 0 ? 'stop-condition alarm' : 'flag change'} events); after its retries the event waits in RollbackDeadLetters. ${SET_OFF_BY_HAND}, then fix the rule target's permission.`,
      ),
    ),
  );
}

/** An event waits in one of the rollback's queues: a rollback that did not happen. */
function queueAlarms(scope: Construct, path: RollbackPath): Alarm[] {
  return (
    [
      [path.rollbackDeadLetters, 'RollbackDeadLettersMessages', 'EventBridge could not deliver'],
      [path.rollbackFailures, 'RollbackFailuresMessages', 'the rollback function failed on'],
    ] as const
  ).map(([queue, alarmId, what]) =>
    queue
      .metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: MINUTE })
      .createAlarm(
        scope,
        alarmId,
        onAnyOccurrence(
          `An alarm or flag event ${what} is waiting: a rollback did not happen. ${SET_OFF_BY_HAND}, then read the message and the function logs.`,
        ),
      ),
  );
}

/** A rollout that ended failed or ran past its timeout. */
function rolloutExecutionAlarms(scope: Construct, machine: StateMachine): Alarm[] {
  return [
    machine
      .metricFailed({ statistic: 'Sum', period: MINUTE })
      .createAlarm(
        scope,
        'RolloutExecutionsFailed',
        onAnyOccurrence(
          'A rollout ended failed: rolled back on a stop condition, stopped because the flag was changed by hand, or broken. `tpi rollout status` says which; after a rollback, fix the cause, then `tpi flag restore`.',
        ),
      ),
    machine
      .metricTimedOut({ statistic: 'Sum', period: MINUTE })
      .createAlarm(
        scope,
        'RolloutExecutionsTimedOut',
        onAnyOccurrence(
          'A rollout execution ran past the machine timeout (every execution continues as a new one long before it): it was stuck. `tpi rollout status` shows where; start it again with `tpi rollout start`.',
        ),
      ),
  ];
}
