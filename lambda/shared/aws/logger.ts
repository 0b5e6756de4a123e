import { Logger } from '@aws-lambda-powertools/logger';
import { DEFAULT_SERVICE_NAME } from '../observability.ts';

/** Service name of this process: the stack sets it per stage; the default serves local runs. */
export const SERVICE_NAME = process.env.POWERTOOLS_SERVICE_NAME ?? DEFAULT_SERVICE_NAME;

/**
 * The structured JSON logger of this process, shared by every function's telemetry. In a module of
 * its own (apart from the metrics) so a function that logs but counts nothing, the read API, does
 * not load the metrics library.
 */
export const logger = new Logger({ serviceName: SERVICE_NAME });
