import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DEFAULT_METRICS_NAMESPACE, DEFAULT_SERVICE_NAME } from '../observability.ts';

/** Service name of this process: the stack sets it per stage; the default serves local runs. */
export const SERVICE_NAME = process.env.POWERTOOLS_SERVICE_NAME ?? DEFAULT_SERVICE_NAME;

/** Namespace of this process's metrics: the stack sets it; the default serves local runs. */
export const METRICS_NAMESPACE = process.env.POWERTOOLS_METRICS_NAMESPACE ?? DEFAULT_METRICS_NAMESPACE;

/** Structured JSON logger shared by the handlers of one process. */
export const logger = new Logger({ serviceName: SERVICE_NAME });

/** EMF metrics: written to stdout, no API calls. */
export const metrics = new Metrics({ serviceName: SERVICE_NAME, namespace: METRICS_NAMESPACE });
