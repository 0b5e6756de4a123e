import { Stack } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  STOP_CONDITION_DEFAULTS,
  STOP_CONDITION_KINDS,
  stopConditionKindAlarmName,
} from '../../lambda/rollout/constants.ts';
import {
  AUDIT_METRIC,
  METRIC,
  PUBLISH_FAILURES_METRIC,
  signalMetrics,
} from '../../lambda/shared/observability.ts';
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

/**
 * The three alarms every table has, 5-minute periods: [alarm, metrics, statistic, M, N, threshold,
 * expression]. DynamoDB publishes no percentiles: latency is the average. Throttling counts only
 * when sustained (every period of 3).
 */
const TABLE_ALARMS = [
  ['Latency', ['SuccessfulRequestLatency'], 'Average', 2, 3, d.dynamoLatencyAverageMs, 'MAX(['],
  // Sparse metrics, with the operations' request count as a 0 so the alarm returns to OK.
  [
    'ThrottledRequests',
    ['SuccessfulRequestLatency', 'ThrottledRequests'],
    'Sum,SampleCount',
    3,
    3,
    0,
    ', z])',
  ],
  ['SystemErrors', ['SuccessfulRequestLatency', 'SystemErrors'], 'Sum,SampleCount', 2, 3, 0, ', z])'],
] as const;

/** The rows of one table's alarms, each reading the table's metrics per operation. */
const tableRows = (table: 'Activities' | 'Statistics' | 'DeadLetters') =>
  TABLE_ALARMS.map(
    ([alarm, metrics, statistic, m, n, threshold, expression]) =>
      [
        `${table}Table${alarm}`,
        'database-degradation',
        metrics,
        statistic,
        300,
        m,
        n,
        threshold,
        expression,
      ] as const,
  );

const ROWS = [
  // [id, kind, metrics, statistic, period s, M, N, threshold, expression fragment]
  [
    'IntegrationErrorRate',
    'integration-error-rate',
    // The denominator is the events with an included user, not every event the function saw.
    ['Errors', METRIC.included, 'NumberOfMessagesSent', METRIC.statsFailed],
    'Sum',
    300,
    2,
    3,
    d.errorRateThresholdPercent,
    `IF(FILL(d, 0) >= ${d.errorRateMinEvents}, 100 * SUM([FILL(n0, 0), FILL(n1, 0), FILL(n2, 0)]) / d, 0)`,
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
    // Each operation once per metric read (the throttles also read each operation's request count).
    const dims = (id: string) => [
      ...new Set(
        (alarmOf(id).Metrics ?? [])
          .filter((metric) => metric.MetricStat)
          .map(
            (metric) => metric.MetricStat?.Metric.Dimensions?.find((dim) => dim.Name === 'Operation')?.Value,
          )
          .sort(),
      ),
    ];
    expect(dims('ActivitiesTableLatency')).toEqual(['PutItem', 'Query']);
    expect(dims('StatisticsTableThrottledRequests')).toEqual(['BatchGetItem', 'Query', 'TransactWriteItems']);
    expect(dims('DeadLettersTableSystemErrors')).toEqual(['PutItem']);
  });

  it('renders every alarm from its one declaration in lambda/rollout/constants.ts', () => {
    for (const { definition, alarm } of s.stack.stopConditions.conditions.filter((c) => c.definition)) {
      if (!definition) continue;
      const props = alarmOf(definition.id);
      expect(props, definition.id).toMatchObject({
        Threshold: definition.threshold,
        ComparisonOperator: definition.comparison,
        DatapointsToAlarm: definition.datapointsToAlarm,
        EvaluationPeriods: definition.evaluationPeriods,
        TreatMissingData: definition.treatMissingData,
        AlarmDescription: definition.description,
      });
      const signal = signalOf(props);
      expect(signal.metrics, definition.id).toEqual(
        [...new Set(signalMetrics(definition.signal).map((m) => m.metricName))].sort(),
      );
      expect(signal.period, definition.id).toBe(definition.periodSeconds);
      expect(s.logicalId(alarm)).toMatch(new RegExp(`^StopConditions${definition.id}`));
    }
  });

  it("adds the platform's alarms, by name or ARN, to the tournament-operations composite alone", () => {
    const platform = s.stack.stopConditions.conditions.filter((c) => c.id.startsWith('PlatformAlarm'));
    const names = platform.map((c) => Stack.of(s.stack).resolve(c.alarm.alarmName));
    expect(names.sort()).toEqual(['Checkout errors', 'PaymentsDown']);
    const rules = compositeRules();
    expect(rules.TournamentOperations).toContain('ALARM("PaymentsDown")');
    expect(rules.TournamentOperations).toContain(`ALARM("${PLATFORM_ARN}")`);
    for (const [kind, rule] of Object.entries(rules))
      if (kind !== 'TournamentOperations') expect(rule, kind).not.toContain('PaymentsDown');
    // A composite can watch only its own account and region: the ARN's are asserted at deploy.
    expect(JSON.stringify(s.template.toJSON().Rules)).toContain('111122223333');
  });
});

/** Each composite's rule with its Refs replaced by the referenced logical id, by name suffix. */
function compositeRules(): Record<string, string> {
  const composites = resourcesOf(s.template, 'AWS::CloudWatch::CompositeAlarm');
  const text = (rule: unknown): string =>
    typeof rule === 'string'
      ? rule
      : ((rule as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1] ?? [])
          .map((part) => (typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref}>`))
          .join('');
  return Object.fromEntries(
    Object.values(composites).map((c) => [
      String(c.Properties.AlarmName).replace(/^TournamentProfileIntegration-StopConditions-?/, '') || 'Any',
      text(c.Properties.AlarmRule),
    ]),
  );
}

describe('the stop conditions as composite alarms', () => {
  it('has one composite per stop condition whose children are exactly its alarms', () => {
    const rules = compositeRules();
    expect(Object.keys(rules).sort()).toEqual(
      ['Any', 'DatabaseDegradation', 'Duplicates', 'IntegrationErrorRate', 'TournamentOperations'].sort(),
    );
    for (const kind of STOP_CONDITION_KINDS) {
      const composite = s.stack.stopConditions.byKind[kind];
      const own = s.stack.stopConditions.conditions.filter((c) => c.kind === kind && c.definition);
      const name = stopConditionKindAlarmName('TournamentProfileIntegration', kind);
      s.hasProperties(composite, 'AWS::CloudWatch::CompositeAlarm', { AlarmName: name });
      const rule = rules[name.split('-').at(-1) as string] ?? '';
      for (const condition of own) expect(rule, kind).toContain(`ALARM("<${s.logicalId(condition.alarm)}>")`);
      // The platform's two alarms join tournament operations only.
      const platform = kind === 'tournament-operations' ? 2 : 0;
      expect(rule.match(/ALARM\(/g)?.length, kind).toBe(own.length + platform);
    }
  });

  it('has one top-level composite, named at synth, in ALARM while any condition is', () => {
    const top = s.stack.stopConditions.composite;
    expect(s.stack.stopConditions.compositeName).toBe('TournamentProfileIntegration-StopConditions');
    s.hasProperties(top, 'AWS::CloudWatch::CompositeAlarm', {
      AlarmName: 'TournamentProfileIntegration-StopConditions',
    });
    const ids = STOP_CONDITION_KINDS.map(
      (kind) => `ALARM("<${s.logicalId(s.stack.stopConditions.byKind[kind])}>")`,
    );
    expect(compositeRules().Any).toBe(ids.join(' OR '));
  });

  it('marks every stop-condition alarm, and only those, with the condition it detects', () => {
    const marked = Object.entries(
      s.template.toJSON().Resources as Record<string, { Metadata?: Record<string, unknown> }>,
    )
      .filter(([, r]) => r.Metadata?.['tpi:stop-condition'] !== undefined)
      .map(([id]) => id)
      .sort();
    const expected = [
      ...s.stack.stopConditions.alarms,
      ...Object.values(s.stack.stopConditions.byKind),
      s.stack.stopConditions.composite,
    ]
      .map((alarm) => s.logicalId(alarm))
      .sort();
    expect(marked).toEqual(expected);
  });
});
