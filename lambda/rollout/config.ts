import { type Environment, optionalString, requiredString, wholeNumber } from '../shared/config.ts';
import { DEFAULT_METRICS_NAMESPACE, DEFAULT_SERVICE_NAME } from '../shared/observability.ts';
import {
  DEFAULT_WAIT_SLICE_SECONDS,
  ROLLOUT_ENVIRONMENT as ENV,
  MAX_WAIT_SLICE_SECONDS,
} from './constants.ts';

/** Settings of the rollback function. */
export interface RollbackConfig {
  readonly flagParameterName: string;
  /** The top-level stop-conditions composite; its children are read when the function runs. */
  readonly stopConditionsAlarmName: string;
  /** Where the arming and a pending raise are kept (`<flag>/rollout-state`). */
  readonly rolloutStateParameterName: string;
}

/** Reads the rollback function's settings; throws a `ConfigurationError` naming what is missing. */
export function rollbackConfig(env: Environment = process.env): RollbackConfig {
  return {
    flagParameterName: requiredString(env, ENV.flagParameterName),
    stopConditionsAlarmName: requiredString(env, ENV.stopConditionsAlarmName),
    rolloutStateParameterName: requiredString(env, ENV.rolloutStateParameterName),
  };
}

/** Settings of the rollout step function. */
export interface RolloutStepConfig extends RollbackConfig {
  /** Longest single wait of the machine, when its input does not say. */
  readonly waitSliceSeconds: number;
  /** Included events a step must see before its hold counts (0: time alone). */
  readonly minEventsPerStep: number;
  /** The alarm that says the scheduled audit stopped: it blocks raises. */
  readonly auditAlarmName: string | undefined;
  /** Where `IncludedEvents` is: the integration's namespace and `service` dimension. */
  readonly metrics: { readonly namespace: string; readonly service: string };
}

/** Reads the step function's settings; throws a `ConfigurationError` naming what is missing. */
export function rolloutStepConfig(env: Environment = process.env): RolloutStepConfig {
  const slice = wholeNumber(env, ENV.waitSliceSeconds, DEFAULT_WAIT_SLICE_SECONDS, 1);
  return {
    ...rollbackConfig(env),
    waitSliceSeconds: Math.min(slice, MAX_WAIT_SLICE_SECONDS),
    minEventsPerStep: wholeNumber(env, ENV.minEventsPerStep, 0, 0),
    auditAlarmName: env[ENV.auditAlarmName] || undefined,
    metrics: {
      namespace: optionalString(env, ENV.metricsNamespace, DEFAULT_METRICS_NAMESPACE),
      service: optionalString(env, ENV.serviceName, DEFAULT_SERVICE_NAME),
    },
  };
}
