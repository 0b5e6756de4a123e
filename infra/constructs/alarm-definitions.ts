import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import {
  type AlarmDefinition,
  type DeployedName,
  type MetricDefinition,
  type SignalDefinition,
  signalMetrics,
} from '../../lambda/shared/observability.ts';

/** Where the definitions' metrics are in this deployment: the namespace and each resource's name. */
export interface DeployedMetrics {
  /** The integration's own namespace (`metricsNamespace`). */
  readonly metricsNamespace: string;
  /** The deployed name (or a token of it) of each resource a dimension may name. */
  readonly names: Readonly<Partial<Record<DeployedName, string>>>;
}

const COMPARISON: Readonly<Record<AlarmDefinition['comparison'], ComparisonOperator>> = {
  GreaterThanThreshold: ComparisonOperator.GREATER_THAN_THRESHOLD,
  GreaterThanOrEqualToThreshold: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  LessThanThreshold: ComparisonOperator.LESS_THAN_THRESHOLD,
};

const MISSING: Readonly<Record<AlarmDefinition['treatMissingData'], TreatMissingData>> = {
  notBreaching: TreatMissingData.NOT_BREACHING,
  breaching: TreatMissingData.BREACHING,
  ignore: TreatMissingData.IGNORE,
  missing: TreatMissingData.MISSING,
};

function deployedName(where: DeployedMetrics, name: DeployedName): string {
  const value = where.names[name];
  if (value === undefined)
    throw new Error(`an alarm reads a metric of ${name}, which this construct was not given`);
  return value;
}

/** One declared metric as a CDK metric of this deployment. */
export function metricOf(definition: MetricDefinition, where: DeployedMetrics, period: Duration): Metric {
  return new Metric({
    namespace: definition.source === 'integration' ? where.metricsNamespace : definition.source,
    metricName: definition.metricName,
    dimensionsMap: Object.fromEntries(
      Object.entries(definition.dimensions).map(([name, value]) => [
        name,
        typeof value === 'string' ? deployedName(where, value) : value.value,
      ]),
    ),
    statistic: definition.statistic,
    period,
  });
}

/**
 * A declared signal as what an alarm reads: the metric itself, or metric math that reads a missing
 * datapoint as 0, exactly as `signalValue` (lambda/rollout/domain/stop-conditions.ts) computes it.
 */
export function signalOf(signal: SignalDefinition, where: DeployedMetrics, period: Duration): IMetric {
  if (signal.form === 'metric') return metricOf(signal.metric, where, period);
  const filled = (ids: readonly string[]) => ids.map((id) => `FILL(${id}, 0)`).join(', ');
  if (signal.form === 'ratio') {
    const numerator = signal.numerator.map((_, i) => `n${i}`);
    return new MathExpression({
      expression: `IF(FILL(d, 0) >= ${signal.minDenominator}, 100 * SUM([${filled(numerator)}]) / d, 0)`,
      usingMetrics: {
        ...Object.fromEntries(signal.numerator.map((m, i) => [`n${i}`, metricOf(m, where, period)])),
        d: metricOf(signal.denominator, where, period),
      },
      period,
      label: signal.label,
    });
  }
  const ids = signal.metrics.map((_, i) => `m${i}`);
  // The presence metrics as `0 * SUM([...])`: 0 whenever the resource was used, so the alarm gets a
  // datapoint (and can return to OK) even when the summed metrics published nothing.
  const presence = signal.presence ?? [];
  const zero =
    presence.length === 0
      ? undefined
      : new MathExpression({
          expression: `0 * SUM([${filled(presence.map((_, i) => `p${i}`))}])`,
          usingMetrics: Object.fromEntries(presence.map((m, i) => [`p${i}`, metricOf(m, where, period)])),
          period,
        });
  return new MathExpression({
    expression: `${signal.form === 'worst' ? 'MAX' : 'SUM'}([${filled(ids)}${zero ? ', z' : ''}])`,
    usingMetrics: {
      ...Object.fromEntries(signal.metrics.map((m, i) => [`m${i}`, metricOf(m, where, period)])),
      ...(zero ? { z: zero } : {}),
    },
    period,
    label: signal.label,
  });
}

/**
 * "A single PutMetricAlarm call can include up to 20 MetricDataQuery structures in the array. The 20
 * structures can include as many as 10 structures that contain a MetricStat parameter ... and as many
 * as 10 structures that contain the Expression parameter"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataQuery.html).
 */
export const MAX_ALARM_METRICS = 10;

/** Refuses, at synth, a declared signal that reads more metrics than one alarm may. */
export function checkAlarmSize(definition: AlarmDefinition): void {
  const metrics = signalMetrics(definition.signal).length;
  if (metrics > MAX_ALARM_METRICS)
    throw new Error(
      `alarm ${definition.id} reads ${metrics} metrics; one alarm may read ${MAX_ALARM_METRICS}: split it`,
    );
}

/** The alarm of one definition, as a child `definition.id` of `scope` (named `alarmName` when given). */
export function alarmOf(
  scope: Construct,
  definition: AlarmDefinition,
  where: DeployedMetrics,
  alarmName?: string,
): Alarm {
  checkAlarmSize(definition);
  return new Alarm(scope, definition.id, {
    ...(alarmName ? { alarmName } : {}),
    metric: signalOf(definition.signal, where, Duration.seconds(definition.periodSeconds)),
    threshold: definition.threshold,
    comparisonOperator: COMPARISON[definition.comparison],
    evaluationPeriods: definition.evaluationPeriods,
    datapointsToAlarm: definition.datapointsToAlarm,
    treatMissingData: MISSING[definition.treatMissingData],
    alarmDescription: definition.description,
  });
}
