import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { ssmClient } from '../shared/aws/ssm.ts';
import {
  describeAlarms,
  invocationsSince,
  otherRunningExecutions,
  parameterVersion,
  ssmFlagPorts,
} from './adapters/rollout-aws.ts';
import type { FlagPorts, RolloutPorts } from './application/rollout.ts';
import { type RollbackConfig, type RolloutStepConfig, rollbackConfig, rolloutStepConfig } from './config.ts';
import { previousFlagParameterName } from './constants.ts';

/**
 * The rollout functions, wired one way for the deployed functions and the tests: the step of the
 * state machine and the rollback on an alarm, each from the function's environment or from
 * options that name the clients and settings. (The local stack runs the same step logic against
 * its own parameter store and counters: local/rollout.ts.)
 */

/** The execution a step belongs to: to tell this rollout from another one. */
export interface RolloutExecution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
}

/** What the step function is built from. */
export interface RolloutStepDependencies {
  readonly config: RolloutStepConfig;
  /** The flag, the alarms, the other executions and the traffic, as one execution's step sees them. */
  portsFor(execution: RolloutExecution): RolloutPorts;
}

/** The step's dependencies from options: SSM for the flag, CloudWatch, Step Functions. */
export function rolloutStepDependencies(options: {
  readonly config: RolloutStepConfig;
  readonly ssm: SSMClient;
  readonly cloudWatch: CloudWatchClient;
  readonly sfn: SFNClient;
}): RolloutStepDependencies {
  const { config, ssm, cloudWatch, sfn } = options;
  const previousName = previousFlagParameterName(config.flagParameterName);
  const recordingFunction = config.recordingFunctionName;
  return {
    config,
    portsFor: (execution) => ({
      ...ssmFlagPorts(ssm, config.flagParameterName, previousName),
      readAlarms: () => describeAlarms(cloudWatch, config.rollbackAlarms),
      otherRollouts: () => otherRunningExecutions(sfn, execution.stateMachineArn, execution.executionArn),
      previousMarker: () => parameterVersion(ssm, previousName),
      ...(recordingFunction
        ? { handledEvents: (since: number) => invocationsSince(cloudWatch, recordingFunction, since) }
        : {}),
    }),
  };
}

/** The deployed step's dependencies, from its environment; clients live for the container. */
export function rolloutStepDependenciesFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): RolloutStepDependencies {
  return rolloutStepDependencies({
    config: rolloutStepConfig(env),
    ssm: ssmClient(),
    cloudWatch: new CloudWatchClient({}),
    sfn: new SFNClient({}),
  });
}

/** What the rollback function is built from: which alarms roll back, and the flag. */
export interface RollbackDependencies {
  readonly config: RollbackConfig;
  readonly flag: FlagPorts;
}

/** The rollback's dependencies from options. */
export function rollbackDependencies(options: {
  readonly config: RollbackConfig;
  readonly ssm: SSMClient;
}): RollbackDependencies {
  const { config, ssm } = options;
  const name = config.flagParameterName;
  return { config, flag: ssmFlagPorts(ssm, name, previousFlagParameterName(name)) };
}

/** The deployed rollback's dependencies, from its environment. */
export function rollbackDependenciesFromEnv(env: NodeJS.ProcessEnv = process.env): RollbackDependencies {
  return rollbackDependencies({ config: rollbackConfig(env), ssm: ssmClient() });
}
