import type { Stack } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmRule,
  AlarmState,
  CompositeAlarm,
  type IAlarm,
  Metric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Rule } from 'aws-cdk-lib/aws-events';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { markRollbackTrigger, markStopCondition } from '../../../infra/checks/markers.ts';
import { findingsOf, ofRule } from './support.ts';

const alarm = (stack: Stack, id: string) =>
  new Alarm(stack, id, {
    metric: new Metric({ namespace: 'Test', metricName: id }),
    threshold: 0,
    evaluationPeriods: 1,
  });

/** A rule on the default bus matching the alarms' state changes into ALARM. */
function alarmRule(stack: Stack, alarms: readonly IAlarm[], rollsBack: boolean | undefined): Rule {
  const rule = new Rule(stack, 'Rollback', {
    eventPattern: {
      source: ['aws.cloudwatch'],
      detailType: ['CloudWatch Alarm State Change'],
      detail: { alarmName: alarms.map((a) => a.alarmName), state: { value: ['ALARM'] } },
    },
  });
  if (rollsBack !== undefined) markRollbackTrigger(rule, rollsBack);
  return rule;
}

const rollbackFindings = (build: (stack: Stack) => void) =>
  ofRule(findingsOf(build), 'RollbackOnlyOnStopConditions').map((f) => f.rule.replace(/[0-9A-F]{8}\]$/, ']'));

describe('TpiLimits-RollbackOnlyOnStopConditions', () => {
  it('finds a rule on alarm state changes that does not say whether it rolls back', () => {
    expect(rollbackFindings((stack) => alarmRule(stack, [alarm(stack, 'Errors')], undefined))).toEqual([
      'TpiLimits-RollbackOnlyOnStopConditions[unclassified]',
    ]);
    expect(rollbackFindings((stack) => alarmRule(stack, [alarm(stack, 'Errors')], false))).toEqual([]);
  });

  it('counts best-effort aws.monitoring alarm events, and not rules on another bus or source', () => {
    const found = rollbackFindings((stack) => {
      new Rule(stack, 'Monitoring', {
        eventPattern: { source: ['aws.monitoring'], detailType: ['CloudWatch Alarm State Change'] },
      });
      new Rule(stack, 'Tournaments', { eventPattern: { source: ['tournaments'] } });
    });

    expect(found).toEqual(['TpiLimits-RollbackOnlyOnStopConditions[unclassified]']);
  });

  it('passes a rollback rule that matches only alarms marked as stop conditions', () => {
    const found = rollbackFindings((stack) => {
      const errorRate = alarm(stack, 'ErrorRate');
      const duplicates = alarm(stack, 'Duplicates');
      markStopCondition(errorRate, 'integration-error-rate');
      markStopCondition(duplicates, 'duplicates');
      alarmRule(stack, [errorRate, duplicates], true);
    });

    expect(found).toEqual([]);
  });

  it('finds an unmarked alarm, a queue alarm even when marked, and a kind outside the plan', () => {
    const found = rollbackFindings((stack) => {
      const errorRate = alarm(stack, 'ErrorRate');
      markStopCondition(errorRate, 'integration-error-rate');
      const invalidEvents = alarm(stack, 'InvalidEvents');
      const deadLetters = new Queue(stack, 'DeadLetters')
        .metricApproximateNumberOfMessagesVisible()
        .createAlarm(stack, 'DeadLetterMessages', { threshold: 0, evaluationPeriods: 1 });
      markStopCondition(deadLetters, 'integration-error-rate');
      const throttles = alarm(stack, 'Throttles');
      markStopCondition(throttles, 'throttles' as never);
      alarmRule(stack, [errorRate, invalidEvents, deadLetters, throttles], true);
    });

    expect(found).toEqual([
      'TpiLimits-RollbackOnlyOnStopConditions[unmarked:InvalidEvents]',
      'TpiLimits-RollbackOnlyOnStopConditions[queue-alarm:DeadLetterMessages]',
      'TpiLimits-RollbackOnlyOnStopConditions[unknown-kind:Throttles]',
    ]);
  });

  it('finds a platform alarm matched by name, and passes it inside a marked composite alarm', () => {
    const byName = rollbackFindings((stack) => {
      const platform = Alarm.fromAlarmName(stack, 'Payments', 'platform-payments-down');
      alarmRule(stack, [platform], true);
    });
    const inComposite = rollbackFindings((stack) => {
      const platform = Alarm.fromAlarmName(stack, 'Payments', 'platform-payments-down');
      const publisher = alarm(stack, 'PublisherFailures');
      markStopCondition(publisher, 'tournament-operations');
      const operations = new CompositeAlarm(stack, 'TournamentOperations', {
        alarmRule: AlarmRule.anyOf(
          AlarmRule.fromAlarm(platform, AlarmState.ALARM),
          AlarmRule.fromAlarm(publisher, AlarmState.ALARM),
        ),
      });
      markStopCondition(operations, 'tournament-operations');
      alarmRule(stack, [operations], true);
    });

    expect(byName).toEqual(['TpiLimits-RollbackOnlyOnStopConditions[external:platform-payments-down]']);
    expect(inComposite).toEqual([]);
  });

  it('finds an unmarked alarm of the stack inside a marked composite alarm', () => {
    const found = rollbackFindings((stack) => {
      const conflicts = alarm(stack, 'IdempotencyConflicts');
      const composite = new CompositeAlarm(stack, 'Degradation', {
        alarmRule: AlarmRule.fromAlarm(conflicts, AlarmState.ALARM),
      });
      markStopCondition(composite, 'database-degradation');
      alarmRule(stack, [composite], true);
    });

    expect(found).toEqual(['TpiLimits-RollbackOnlyOnStopConditions[unmarked:IdempotencyConflicts]']);
  });

  it('passes a top-level composite marked with several kinds whose children carry those kinds', () => {
    // Arrange: one composite per condition under one top-level composite, as the stack builds them.
    const found = rollbackFindings((stack) => {
      const errorRate = alarm(stack, 'ErrorRate');
      const duplicates = alarm(stack, 'Duplicates');
      markStopCondition(errorRate, 'integration-error-rate');
      markStopCondition(duplicates, 'duplicates');
      const kinds = [
        ['ErrorRateCondition', errorRate, 'integration-error-rate'],
        ['DuplicatesCondition', duplicates, 'duplicates'],
      ] as const;
      const composites = kinds.map(([id, child, kind]) => {
        const composite = new CompositeAlarm(stack, id, {
          alarmRule: AlarmRule.fromAlarm(child, AlarmState.ALARM),
        });
        markStopCondition(composite, kind);
        return composite;
      });
      const top = new CompositeAlarm(stack, 'AnyStopCondition', {
        alarmRule: AlarmRule.anyOf(...composites.map((c) => AlarmRule.fromAlarm(c, AlarmState.ALARM))),
      });
      markStopCondition(top, ['integration-error-rate', 'duplicates']);
      alarmRule(stack, [top], true);
    });

    // Assess
    expect(found).toEqual([]);
  });

  it('finds several kinds on a metric alarm, and a composite whose children do not carry its kinds', () => {
    // Arrange
    const found = rollbackFindings((stack) => {
      const errorRate = alarm(stack, 'ErrorRate');
      markStopCondition(errorRate, ['integration-error-rate', 'duplicates']);
      const latency = alarm(stack, 'Latency');
      markStopCondition(latency, 'database-degradation');
      const mislabelled = new CompositeAlarm(stack, 'DuplicatesCondition', {
        alarmRule: AlarmRule.fromAlarm(latency, AlarmState.ALARM),
      });
      markStopCondition(mislabelled, 'duplicates');
      const conflicts = alarm(stack, 'Conflicts');
      markStopCondition(conflicts, 'integration-error-rate');
      const overclaiming = new CompositeAlarm(stack, 'Overclaiming', {
        alarmRule: AlarmRule.fromAlarm(conflicts, AlarmState.ALARM),
      });
      markStopCondition(overclaiming, ['integration-error-rate', 'tournament-operations']);
      alarmRule(stack, [errorRate, mislabelled, overclaiming], true);
    });

    // Assess
    expect(found).toEqual([
      'TpiLimits-RollbackOnlyOnStopConditions[unknown-kind:ErrorRate]',
      'TpiLimits-RollbackOnlyOnStopConditions[kind-mismatch:DuplicatesCondition]',
      'TpiLimits-RollbackOnlyOnStopConditions[kind-not-covered:Overclaiming]',
    ]);
  });

  it('finds a rollback rule that matches every alarm, or events other than alarm state changes', () => {
    const found = rollbackFindings((stack) => {
      const rule = new Rule(stack, 'Rollback', { eventPattern: { detail: { state: { value: ['ALARM'] } } } });
      markRollbackTrigger(rule);
    });

    expect(found).toEqual([
      'TpiLimits-RollbackOnlyOnStopConditions[not-only-alarms]',
      'TpiLimits-RollbackOnlyOnStopConditions[every-alarm]',
    ]);
  });
});
