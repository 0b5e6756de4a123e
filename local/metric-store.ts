import { returnsData, statisticsOf } from '../infra/checks/metric-statistics.ts';
import type { MetricDefinition } from '../lambda/shared/observability.ts';

/**
 * The local stack's CloudWatch metrics: every datapoint the local stack records (recording outcomes,
 * errors, included events, DynamoDB latency and faults, audit findings...) under the same namespace,
 * name and dimensions the declared alarms read (lambda/rollout/constants.ts), and the statistics of
 * a period computed from them as CloudWatch would: a statistic CloudWatch publishes no data for
 * (a percentile of an `AWS/DynamoDB` metric) has no data here either (infra/checks/metric-statistics.ts).
 */

/** A metric as the declarations name it: namespace (`integration` for the stack's own), name, dimensions. */
export type LocalMetric = Pick<MetricDefinition, 'source' | 'metricName' | 'dimensions'>;

interface Datapoint {
  readonly at: number;
  readonly value: number;
}

/** One series per metric: the namespace, the name, and each dimension's deployed name or value. */
export function metricKey(metric: LocalMetric): string {
  const dimensions = Object.entries(metric.dimensions)
    .map(([name, value]) => `${name}=${typeof value === 'string' ? `@${value}` : value.value}`)
    .sort();
  return [metric.source, metric.metricName, ...dimensions].join('|');
}

/** The nearest-rank percentile `p` (0–100) of `values`. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** Options of {@link LocalMetricStore}. */
export interface LocalMetricStoreOptions {
  /** The clock. @default Date.now */
  readonly now?: () => number;
  /** Datapoints older than this are dropped. @default one hour */
  readonly retentionMs?: number;
}

/** Metrics in memory, per series, for as long as an alarm may look back. */
export class LocalMetricStore {
  private readonly series = new Map<string, Datapoint[]>();
  private readonly now: () => number;
  private readonly retentionMs: number;

  constructor(options: LocalMetricStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.retentionMs = options.retentionMs ?? 60 * 60 * 1000;
  }

  /**
   * Records one datapoint (a count, a duration in ms...) at `at`. Datapoints older than the
   * retention are dropped in one pass once the oldest is a tenth of the retention past it: dropping
   * them on every put would rescan the whole retained series per datapoint once a stack has run
   * that long under load.
   */
  put(metric: LocalMetric, value: number, at = this.now()): void {
    const key = metricKey(metric);
    let points = this.series.get(key);
    if (!points) {
      points = [];
      this.series.set(key, points);
    }
    points.push({ at, value });
    const oldest = at - this.retentionMs;
    if ((points[0]?.at ?? at) < oldest - this.retentionMs / 10)
      this.series.set(
        key,
        points.filter((p) => p.at >= oldest),
      );
  }

  /** How many datapoints are kept, over every series (what the retention bounds). */
  get size(): number {
    let n = 0;
    for (const points of this.series.values()) n += points.length;
    return n;
  }

  /**
   * `metric.statistic` over the datapoints in [start, end), or `undefined` when CloudWatch would
   * have no data: no datapoint in the period, or a statistic the namespace does not publish.
   */
  statistic(metric: MetricDefinition, start: number, end: number): number | undefined {
    const namespace = metric.source === 'integration' ? 'Custom' : metric.source;
    const row = statisticsOf(namespace);
    if (!row || !returnsData(row, metric.metricName, metric.statistic)) return undefined;
    const values = (this.series.get(metricKey(metric)) ?? [])
      .filter((p) => p.at >= start && p.at < end)
      .map((p) => p.value);
    if (values.length === 0) return undefined;
    switch (metric.statistic) {
      case 'Sum':
        return values.reduce((a, b) => a + b, 0);
      case 'SampleCount':
        return values.length;
      case 'Average':
        return values.reduce((a, b) => a + b, 0) / values.length;
      case 'Maximum':
        return Math.max(...values);
      case 'Minimum':
        return Math.min(...values);
      default:
        return percentile(values, Number(metric.statistic.slice(1)));
    }
  }

  /** The sum of a metric's datapoints since `since` (0 without any). */
  sumSince(metric: LocalMetric, since: number): number {
    return (this.series.get(metricKey(metric)) ?? [])
      .filter((p) => p.at >= since)
      .reduce((a, p) => a + p.value, 0);
  }
}
