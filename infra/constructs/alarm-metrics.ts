import type { Duration } from 'aws-cdk-lib';
import {
  ComparisonOperator,
  type CreateAlarmOptions,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';

/** Where the integration's own (Powertools) metrics are published. */
export interface ServiceMetrics {
  readonly metricsNamespace: string;
  /** Powertools `service` dimension of every metric. */
  readonly serviceName: string;
}

/**
 * The sum of one of the integration's own metrics over `period`. Give a label only on graphs: an
 * alarm on a labelled metric becomes a metric-math alarm.
 */
export function serviceMetric(
  where: ServiceMetrics,
  metricName: string,
  period: Duration,
  label?: string,
): Metric {
  return new Metric({
    namespace: where.metricsNamespace,
    metricName,
    dimensionsMap: { service: where.serviceName },
    statistic: 'Sum',
    period,
    ...(label ? { label } : {}),
  });
}

/**
 * Alarm options for a metric that must stay at zero: one datapoint above it alarms, and no data
 * means nothing happened (no messages, no failures), never a reason to alarm.
 */
export function onAnyOccurrence(alarmDescription: string): CreateAlarmOptions {
  return {
    alarmDescription,
    threshold: 0,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  };
}
