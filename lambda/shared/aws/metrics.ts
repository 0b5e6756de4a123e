import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DEFAULT_METRICS_NAMESPACE } from '../observability.ts';
import { SERVICE_NAME } from './logger.ts';

/** Namespace of this process's metrics: the stack sets it; the default serves local runs. */
export const METRICS_NAMESPACE = process.env.POWERTOOLS_METRICS_NAMESPACE ?? DEFAULT_METRICS_NAMESPACE;

/** The EMF metrics of this process: written to stdout, no API calls. */
export const metrics = new Metrics({ serviceName: SERVICE_NAME, namespace: METRICS_NAMESPACE });

/** Adds `value` to the count named `name` (a name of lambda/shared/observability.ts). */
export function count(name: string, value = 1): void {
  metrics.addMetric(name, MetricUnit.Count, value);
}
