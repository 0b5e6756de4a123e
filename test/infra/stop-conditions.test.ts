import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';

import { STOP_CONDITION_DEFAULTS } from '../../lambda/rollout/constants.ts';
import { AUDIT_METRIC, METRIC, PUBLISH_FAILURES_METRIC } from '../../lambda/shared/observability.ts';
import { resourcesOf, SYNTH_TIMEOUT_MS, type Synthesized, synthesize } from './synth.ts';

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:oncall';
const PLATFORM_ARN = 'arn:aws:cloudwatch:us-east-1:111122223333:alarm:Checkout errors';
let s: Synthesized;

beforeAll(() => {
  s = synthesize({ alarmTopicArn: TOPIC, platformAlarms: `PaymentsDown,${PLATFORM_ARN}` });
}, SYNTH_TIMEOUT_MS);

type Props = Record<string, unknown> & {
  Metrics?: {
    Id: string;
    Expression?: string;
    MetricStat?: {
      Metric: { MetricName: string; Dimensions?: { Name: string; Value: unknown }[] };
      Stat: string;
      Period: number;
    };
  }[];
};

/** A stop condition of the stack, by its id. */
function conditionOf(id: string) {
  const condition = s.stack.stopConditions.conditions.find((c) => c.id === id);
  if (!condition) throw new Error(`no stop condition ${id}`);
  return condition;
}

/** The synthesized alarm of a stop condition, by its id. */
function alarmOf(id: string): Props {
  const condition = conditionOf(id);
  const resource = resourcesOf(s.template, 'AWS::CloudWatch::Alarm')[s.logicalId(condition.alarm)];
  if (!resource) throw new Error(`stop condition ${id} has no alarm resource`);
  return resource.Properties as Props;
}

/** What the alarm reads: one metric (name, statistic, period) or an expression and its metrics. */
function signalOf(props: Props) {
  if (props.MetricName)
    return {
      metrics: [props.MetricName],
      statistic: props.Statistic ?? props.ExtendedStatistic,
      period: props.Period,
    };
  const stats = (props.Metrics ?? []).filter((m) => m.MetricStat);
  const expression = (props.Metrics ?? []).find((m) => m.Expression)?.Expression;
  return {
    expression,
    metrics: [...new Set(stats.map((m) => m.MetricStat?.Metric.MetricName))].sort(),
    statistic: [...new Set(stats.map((m) => m.MetricStat?.Stat))].join(','),
    period: stats[0]?.MetricStat?.Period,
  };
}

const d = STOP_CONDITION_DEFAULTS;

/** The three alarms every table has, 2 of 3 periods of 5 minutes: [alarm, metrics, statistic, threshold, expression]. */
const TABLE_ALARMS = [
  ['Latency', ['SuccessfulRequestLatency'], 'p99', d.dynamoLatencyP99Ms, 'MAX(['],
  ['ThrottledRequests', ['ThrottledRequests'], 'Sum', 0, 'SUM(['],
  ['SystemErrors', ['SystemErrors'], 'Sum', 0, 'SUM(['],
] as const;

/** The rows of one table's alarms, each reading the table's metrics per operation. */
const tableRows = (table: 'Activities' | 'Statistics' | 'DeadLetters') =>
  TABLE_ALARMS.map(
    ([alarm, metrics, statistic, threshold, expression]) =>
      [
        `${table}Table${alarm}`,
        'database-degradation',
        metrics,
        statistic,
        300,
        2,
        3,
        threshold,
        expression,
      ] as const,
  );

const ROWS = [
  // [id, kind, metrics, statistic, period s, M, N, threshold, expression fragment]
  [
    'IntegrationErrorRate',
    'integration-error-rate',
    ['Errors', 'Invocations', 'NumberOfMessagesSent', METRIC.statsFailed],
    'Sum',
    300,
    2,
    3,
    d.errorRateThresholdPercent,
    `IF(FILL(handled, 0) >= ${d.errorRateMinEvents}`,
  ],
  ['PublisherFailures', 'tournament-operations', [PUBLISH_FAILURES_METRIC], 'Sum', 300, 1, 1, 0, undefined],
  ...tableRows('Activities'),
  ...tableRows('Statistics'),
  ...tableRows('DeadLetters'),
  [
    'RecordingDuration',
    'database-degradation',
    ['Duration'],
    'p99',
    300,
    2,
    3,
    d.recordingDurationP99Ms,
    undefined,
  ],
  [
    'RecordingAsyncEventAge',
    'database-degradation',
    ['AsyncEventAge'],
    'Maximum',
    300,
    2,
    3,
    d.asyncEventAgeSeconds * 1000,
    undefined,
  ],
  ['AuditDuplicateActivities', 'duplicates', [AUDIT_METRIC.duplicates], 'Sum', 300, 1, 1, 0, undefined],
  ['AuditStatisticsDrift', 'duplicates', [AUDIT_METRIC.drift], 'Sum', 300, 1, 1, 0, undefined],
] as const;

describe('the synthesized stop-condition alarms', () => {
  it.each(ROWS)(
    '%s (%s): %j %s over %is, %i of %i above %d',
    (id, kind, metrics, statistic, period, m, n, threshold, expression) => {
      const signal = signalOf(alarmOf(id));
      const condition = conditionOf(id);
      expect(condition.kind).toBe(kind);
      expect(signal.metrics).toEqual([...metrics].sort());
      expect(signal.statistic).toBe(statistic);
      expect(signal.period).toBe(period);
      s.hasProperties(condition.alarm, 'AWS::CloudWatch::Alarm', {
        DatapointsToAlarm: m,
        EvaluationPeriods: n,
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanThreshold',
        // No data is no traffic or no failure: never a reason to roll back.
        TreatMissingData: 'notBreaching',
        AlarmActions: [TOPIC],
        OKActions: [TOPIC],
      });
      if (expression) expect(signal.expression).toContain(expression);
    },
  );

  it('covers all four failures of the rollout plan, and nothing else', () => {
    const kinds = new Set(s.stack.stopConditions.conditions.map((c) => c.kind));
    expect([...kinds].sort()).toEqual([
      'database-degradation',
      'duplicates',
      'integration-error-rate',
      'tournament-operations',
    ]);
    const own = s.stack.stopConditions.conditions.filter((c) => !c.id.startsWith('PlatformAlarm'));
    expect(own.map((c) => c.id).sort()).toEqual(ROWS.map((row) => row[0]).sort());
  });

  it('reads DynamoDB metrics per table and operation, for the operations each table serves', () => {
    const dims = (id: string) =>
      (alarmOf(id).Metrics ?? [])
        .filter((metric) => metric.MetricStat)
        .map((metric) => metric.MetricStat?.Metric.Dimensions?.find((dim) => dim.Name === 'Operation')?.Value)
        .sort();
    expect(dims('ActivitiesTableLatency')).toEqual(['PutItem', 'Query']);
    expect(dims('StatisticsTableThrottledRequests')).toEqual(['BatchGetItem', 'Query', 'TransactWriteItems']);
    expect(dims('DeadLettersTableSystemErrors')).toEqual(['PutItem']);
  });

  it("adds the platform's alarms, by name or ARN, to the rollback rule and to what every step reads", () => {
    const platform = s.stack.stopConditions.conditions.filter((c) => c.kind === 'tournament-operations');
    const names = platform.map((c) => Stack.of(s.stack).resolve(c.alarm.alarmName));
    expect(names).toContain('Checkout errors');
    expect(names).toContain('PaymentsDown');
    const rule = resourcesOf(s.template, 'AWS::Events::Rule')[s.logicalId(s.stack.rollout.alarmRule)];
    const pattern = JSON.stringify(rule?.Properties.EventPattern);
    for (const name of ['PaymentsDown', 'Checkout errors']) expect(pattern).toContain(`"${name}"`);
    const step = resourcesOf(s.template, 'AWS::Lambda::Function')[
      s.logicalId(s.stack.rollout.stepFunction.function)
    ];
    const env = JSON.stringify(
      (step?.Properties.Environment as { Variables?: unknown } | undefined)?.Variables,
    );
    expect(env).toContain('PaymentsDown');
    expect(env).toContain('Checkout errors');
  });
});

describe('the rollback path cannot fail silently', () => {
  it('gives the alarm rule target a dead-letter queue and the rollback function an on-failure queue', () => {
    const rollout = s.stack.rollout;
    s.hasProperties(rollout.alarmRule, 'AWS::Events::Rule', {
      Targets: [
        { DeadLetterConfig: { Arn: { 'Fn::GetAtt': [s.logicalId(rollout.rollbackDeadLetters), 'Arn'] } } },
      ],
    });
    s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: s.logicalId(rollout.rollbackFunction.function) },
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [s.logicalId(rollout.rollbackFailures), 'Arn'] } },
      },
    });
  });

  it('reserves concurrency for the rollback function', () => {
    s.hasProperties(s.stack.rollout.rollbackFunction.function, 'AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 2,
    });
  });

  it("alarms on the rollback function's errors, its two queues and failed or timed-out rollouts, to the topic", () => {
    for (const [id, metric] of [
      ['RollbackErrors', 'Errors'],
      ['RollbackDeadLettersMessages', 'ApproximateNumberOfMessagesVisible'],
      ['RollbackFailuresMessages', 'ApproximateNumberOfMessagesVisible'],
      ['RolloutExecutionsFailed', 'ExecutionsFailed'],
      ['RolloutExecutionsTimedOut', 'ExecutionsTimedOut'],
    ] as const) {
      const alarms = s.template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { MetricName: metric, Threshold: 0, AlarmActions: [TOPIC] },
      });
      expect(
        Object.keys(alarms).filter((logicalId) => logicalId.startsWith(`Rollout${id}`)),
        id,
      ).toHaveLength(1);
    }
  });

  it('caps the recording function only when asked', () => {
    s.hasProperties(s.stack.recordingFunction.function, 'AWS::Lambda::Function', {
      ReservedConcurrentExecutions: Match.absent(),
    });
  });
});

describe('deploy traps', () => {
  it('logs the state machine under /aws/vendedlogs/states/, named per stack instance', () => {
    const groups = Object.values(resourcesOf(s.template, 'AWS::Logs::LogGroup'));
    const names = groups.map((g) => JSON.stringify(g.Properties.LogGroupName ?? null));
    const machineLogs = names.filter((n) => n.includes('/aws/vendedlogs/states/'));
    expect(machineLogs).toHaveLength(1);
    expect(machineLogs[0]).toContain('AWS::StackId');
  });

  it('continues a long rollout as a new execution of itself instead of growing one history', () => {
    const [machine] = Object.values(resourcesOf(s.template, 'AWS::StepFunctions::StateMachine'));
    const definition = JSON.stringify(machine?.Properties.DefinitionString);
    expect(definition).toContain('ContinueAsNew');
    expect(definition).toContain(':states:::aws-sdk:sfn:startExecution');
    expect(definition).toContain('$.continueAsNew');
  });

  it('creates the saved flag value like the flag: only when absent', () => {
    s.template.hasResourceProperties('Custom::FlagParameter', {
      Create: Match.serializedJson(
        Match.objectLike({
          parameters: Match.objectLike({
            Name: Match.stringLikeRegexp('/previous$'),
            Value: 'none',
            Overwrite: false,
          }),
        }),
      ),
    });
    s.template.resourceCountIs('AWS::SSM::Parameter', 0);
  });
});
