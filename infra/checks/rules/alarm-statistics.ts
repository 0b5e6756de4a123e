import { type AlarmMetric, alarmMetrics } from '../alarm-metrics.ts';
import type { CheckRule, Finding } from '../check-rule.ts';
import { knownValue } from '../deployed-string.ts';
import { BASIC_STATISTICS, returnsData, statisticsOf } from '../metric-statistics.ts';
import type { StackTemplate } from '../stack-template.ts';

/**
 * Every metric a CloudWatch alarm reads, its own or a metric-math alarm's `MetricStat`, asks for a
 * statistic its namespace publishes (infra/checks/metric-statistics.ts, one row per namespace with
 * its documentation page). `AWS/DynamoDB` publishes Average, Minimum, Maximum, Sum and SampleCount
 * only (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html):
 * an alarm on `p99` of its latency never receives data.
 */
export const alarmStatistics: CheckRule = {
  id: 'AlarmStatistic',
  resourceType: 'AWS::CloudWatch::Alarm',
  explanation:
    'CloudWatch computes percentiles and other extended statistics only from raw data points (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Percentiles); an alarm on a statistic its metric is not published with receives no data and never fires.',
  check(alarm, template) {
    // One finding per distinct problem, naming every place of the alarm that has it.
    const byId = new Map<string | undefined, { finding: Finding; locations: string[] }>();
    for (const metric of alarmMetrics(alarm))
      for (const finding of metricFindings(metric, template)) {
        const entry = byId.get(finding.id) ?? { finding, locations: [] };
        entry.locations.push(metric.location);
        byId.set(finding.id, entry);
      }
    return [...byId.values()].map(({ finding, locations }) => ({
      ...finding,
      message: `${locations.join(', ')}: ${finding.message}`,
    }));
  },
};

function metricFindings(metric: AlarmMetric, template: StackTemplate): Finding[] {
  const namespace = knownValue(metric.namespace, template);
  const metricName = knownValue(metric.metricName, template);
  const statistic = knownValue(metric.statistic, template);
  if (namespace === undefined || metricName === undefined || statistic === undefined)
    return [
      {
        id: 'unknown-metric',
        severity: 'warning',
        message: `The namespace, metric name or statistic is known only at deploy time, so its statistic cannot be checked. Give them as literals.`,
      },
    ];
  const row = statisticsOf(namespace);
  if (!row)
    return [
      {
        id: `unlisted:${namespace}`,
        severity: 'warning',
        message: `Reads the namespace ${namespace}, which has no row in infra/checks/metric-statistics.ts, so its statistics are not checked. Add a row for ${namespace} citing the page that lists its metrics' statistics.`,
      },
    ];
  if (returnsData(row, metricName, statistic)) return [];
  const published =
    row.extended.length === 0
      ? [...BASIC_STATISTICS].join(', ')
      : `${[...BASIC_STATISTICS].join(', ')} (percentiles for ${[row.extended].flat().join(', ')} only)`;
  return [
    {
      id: `${namespace}/${metricName}/${statistic}`,
      message: `Asks ${namespace} ${metricName} for ${statistic}, a statistic ${namespace} does not publish (${published}; ${row.documentation}): the alarm never receives data and never fires. Use Maximum for the worst value or Average for the typical one.`,
    },
  ];
}
