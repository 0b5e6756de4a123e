import { SFNClient } from '@aws-sdk/client-sfn';
import { logger } from '../shared/aws/powertools.ts';
import { ssmClient } from '../shared/aws/ssm.ts';
import { ConfigurationError } from '../shared/errors.ts';
import {
  cloudWatchClient,
  describeStopConditions,
  invocationsSince,
  otherRunningExecutions,
  parameterVersion,
  ssmFlagPorts,
} from './adapters/rollout-aws.ts';
import { type RolloutInput, type RolloutStepOutput, runRolloutStep } from './application/rollout.ts';

import { DEFAULT_WAIT_SLICE_SECONDS, previousFlagParameterName } from './domain/rollout.ts';

/** What the state machine passes to each step. */
export interface RolloutStepEvent {
  /** The machine's input on the first step, the previous step's output after that. */
  readonly rollout: RolloutInput;
  /** `$$.Execution.Id` and `$$.StateMachine.Id`: to tell this rollout from another one. */
  readonly executionArn: string;
  readonly stateMachineArn: string;
}

/** Settings of the rollout step function. */
export interface RolloutStepConfig {
  readonly flagParameterName: string;
  readonly stopConditionAlarms: readonly string[];
  readonly waitSliceSeconds: number;
  /** Events a step must handle before its hold counts (0: time alone). */
  readonly minEventsPerStep: number;
  /** The recording function, whose invocations are the events handled. */
  readonly recordingFunctionName: string | undefined;
}

/** Reads the settings; a missing one is a deployment fault the error names. */
export function rolloutStepConfig(env: NodeJS.ProcessEnv = process.env): RolloutStepConfig {
  const flagParameterName = env.FLAG_PARAMETER_NAME;
  const alarms = env.STOP_CONDITION_ALARMS;
  if (!flagParameterName || alarms === undefined)
    throw new ConfigurationError(
      'FLAG_PARAMETER_NAME and STOP_CONDITION_ALARMS must be set: the stack passes them to the rollout functions',
    );
  const slice = Number(env.ROLLOUT_WAIT_SLICE_SECONDS ?? DEFAULT_WAIT_SLICE_SECONDS);
  if (!Number.isInteger(slice) || slice < 1)
    throw new ConfigurationError(`ROLLOUT_WAIT_SLICE_SECONDS must be a whole number ≥ 1, got "${slice}"`);
  const minEvents = Number(env.ROLLOUT_MIN_EVENTS_PER_STEP ?? 0);
  if (!Number.isInteger(minEvents) || minEvents < 0)
    throw new ConfigurationError(
      `ROLLOUT_MIN_EVENTS_PER_STEP must be a whole number ≥ 0, got "${minEvents}"`,
    );
  return {
    flagParameterName,
    stopConditionAlarms: alarms.split(',').filter((name) => name !== ''),
    waitSliceSeconds: slice,
    minEventsPerStep: minEvents,
    recordingFunctionName: env.RECORDING_FUNCTION_NAME || undefined,
  };
}

const ssm = ssmClient();
const cloudWatch = cloudWatchClient();
const sfn = new SFNClient({});

/** One step of the rollout state machine: check the stop conditions, then raise, wait, roll back or end. */
export async function handler(event: RolloutStepEvent): Promise<RolloutStepOutput> {
  const config = rolloutStepConfig();
  logger.appendKeys({ executionArn: event.executionArn });
  const previousName = previousFlagParameterName(config.flagParameterName);
  const recordingFunction = config.recordingFunctionName;
  const output = await runRolloutStep(
    {
      ...ssmFlagPorts(ssm, config.flagParameterName, previousName),
      readAlarms: () => describeStopConditions(cloudWatch, config.stopConditionAlarms),
      otherRollouts: () => otherRunningExecutions(sfn, event.stateMachineArn, event.executionArn),
      previousMarker: () => parameterVersion(ssm, previousName),
      ...(recordingFunction
        ? { handledEvents: (since: number) => invocationsSince(cloudWatch, recordingFunction, since) }
        : {}),
    },
    { ...event.rollout, sliceSeconds: event.rollout.sliceSeconds ?? config.waitSliceSeconds },
    Date.now(),
    { minEventsPerStep: config.minEventsPerStep },
  );
  const log = output.status === 'rolled_back' || output.status === 'stopped' ? logger.warn : logger.info;
  log.call(logger, `rollout ${output.status}`, {
    percentage: output.percentage,
    flag: output.flag,
    nextRaiseAt: output.nextRaiseAt,
    alarm: output.alarm,
    cause: output.cause,
    waitReason: output.waitReason,
    continueAsNew: output.continueAsNew,
  });
  return output;
}
