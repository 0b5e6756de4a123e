import { DEFAULT_METRICS_NAMESPACE, PUBLISH_FAILURES_METRIC } from '../shared/observability.ts';

/** Where a publisher reports its failures as a CloudWatch metric, in the embedded metric format. */
export interface FailureMetricOptions {
  /** The integration's metrics namespace. @default 'TournamentProfileIntegration' */
  readonly namespace?: string;
  /** The integration's `service` dimension (the stack's stage-qualified service name). */
  readonly service: string;
  /** Where the EMF line goes. @default process.stdout (Lambda turns it into a metric; elsewhere, the CloudWatch agent) */
  readonly write?: (line: string) => void;
}

/**
 * The EMF line for `count` unpublished events. CloudWatch turns it into the metric
 * `PublishFailures{service}` with no API call, so a platform gets the stop condition without code.
 */
export function failureMetricLine(options: FailureMetricOptions, count: number, now = Date.now()): string {
  const namespace = options.namespace ?? DEFAULT_METRICS_NAMESPACE;
  return JSON.stringify({
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [['service']],
          Metrics: [{ Name: PUBLISH_FAILURES_METRIC, Unit: 'Count' }],
        },
      ],
    },
    service: options.service,
    [PUBLISH_FAILURES_METRIC]: count,
  });
}

/** Writes the failure metric line; never throws (a failing report must not fail the caller). */
export function reportFailureMetric(options: FailureMetricOptions, count: number): void {
  try {
    const line = failureMetricLine(options, count);
    if (options.write) options.write(line);
    else process.stdout.write(`${line}\n`);
  } catch {
    // The caller's path never sees the metric's failure; the logger already reported the events.
  }
}
