import type { TemplateResource } from './stack-template.ts';

/** One metric an alarm reads, with the statistic it asks for. */
export interface AlarmMetric {
  readonly namespace: unknown;
  readonly metricName: unknown;
  /** Dimension values by name, as template values (strings or intrinsics). */
  readonly dimensions: ReadonlyMap<string, unknown>;
  readonly statistic: unknown;
  /** Where in the alarm: `Metrics[2].MetricStat` or the alarm itself. */
  readonly location: string;
}

interface Dimension {
  readonly Name: string;
  readonly Value: unknown;
}

/**
 * Every metric an `AWS::CloudWatch::Alarm` reads: its own (`Namespace`, `MetricName`, `Statistic`
 * or `ExtendedStatistic`) or each `MetricStat` of a metric-math alarm's `Metrics`. Expressions
 * (math, `SEARCH`) read no metric of their own.
 */
export function alarmMetrics(alarm: TemplateResource): AlarmMetric[] {
  if (alarm.type !== 'AWS::CloudWatch::Alarm') return [];
  const p = alarm.properties;
  if (p.MetricName !== undefined)
    return [
      {
        namespace: p.Namespace,
        metricName: p.MetricName,
        dimensions: dimensionMap(p.Dimensions),
        statistic: p.ExtendedStatistic ?? p.Statistic,
        location: 'the alarm',
      },
    ];
  const queries = Array.isArray(p.Metrics) ? (p.Metrics as Record<string, unknown>[]) : [];
  return queries.flatMap((query, i) => {
    const stat = query.MetricStat as { Metric?: Record<string, unknown>; Stat?: unknown } | undefined;
    if (!stat?.Metric) return [];
    return [
      {
        namespace: stat.Metric.Namespace,
        metricName: stat.Metric.MetricName,
        dimensions: dimensionMap(stat.Metric.Dimensions),
        statistic: stat.Stat,
        location: `Metrics[${i}] (${String(query.Id ?? i)})`,
      },
    ];
  });
}

function dimensionMap(dimensions: unknown): Map<string, unknown> {
  const list = Array.isArray(dimensions) ? (dimensions as Dimension[]) : [];
  return new Map(list.map((dimension) => [dimension.Name, dimension.Value]));
}

/** Whether a template value names the resource `logicalId` (through `Ref` or `Fn::GetAtt`). */
export function refersTo(value: unknown, logicalId: string, attributes: readonly string[] = []): boolean {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  if (v.Ref === logicalId) return true;
  const getAtt = v['Fn::GetAtt'];
  const [id, attribute] =
    typeof getAtt === 'string' ? getAtt.split('.') : Array.isArray(getAtt) ? getAtt : [];
  return id === logicalId && attributes.includes(String(attribute));
}

/** The alarms of a stack: metric alarms and composite alarms. */
export function isAlarm(resource: TemplateResource): boolean {
  return resource.type === 'AWS::CloudWatch::Alarm' || resource.type === 'AWS::CloudWatch::CompositeAlarm';
}
