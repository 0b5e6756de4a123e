import { type Environment, requiredList, requiredString, wholeNumber } from '../shared/config.ts';
import { DEFAULT_WAIT_SLICE_SECONDS } from './constants.ts';

/** Settings of the rollback function. */
export interface RollbackConfig {
  readonly flagParameterName: string;
  /** Names of the alarms that roll the flag back: the stop conditions and the alarms that stop a rollout. */
  readonly rollbackAlarms: readonly string[];
}

/** Reads the rollback function's settings; throws a `ConfigurationError` naming what is missing. */
export function rollbackConfig(env: Environment = process.env): RollbackConfig {
  return {
    flagParameterName: requiredString(env, 'FLAG_PARAMETER_NAME'),
    rollbackAlarms: requiredList(env, 'ROLLBACK_ALARMS'),
  };
}

/** Settings of the rollout step function. */
export interface RolloutStepConfig extends RollbackConfig {
  /** Longest single wait of the machine, when its input does not say. */
  readonly waitSliceSeconds: number;
  /** Events a step must handle before its hold counts (0: time alone). */
  readonly minEventsPerStep: number;
  /** The recording function, whose invocations are the events handled. */
  readonly recordingFunctionName: string | undefined;
}

/** Reads the step function's settings; throws a `ConfigurationError` naming what is missing. */
export function rolloutStepConfig(env: Environment = process.env): RolloutStepConfig {
  return {
    ...rollbackConfig(env),
    waitSliceSeconds: wholeNumber(env, 'ROLLOUT_WAIT_SLICE_SECONDS', DEFAULT_WAIT_SLICE_SECONDS, 1),
    minEventsPerStep: wholeNumber(env, 'ROLLOUT_MIN_EVENTS_PER_STEP', 0, 0),
    recordingFunctionName: env.RECORDING_FUNCTION_NAME || undefined,
  };
}
