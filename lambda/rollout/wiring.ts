import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { ssmClient } from '../shared/aws/ssm.ts';
import { cloudWatchAlarms, includedEventsSince } from './adapters/cloudwatch.ts';
import { otherRunningExecutions } from './adapters/executions.ts';
import { latestFlagVersions, parameterVersion, ssmArmingPorts, ssmFlagPorts } from './adapters/parameters.ts';
import type { RollbackPorts } from './application/rollback.ts';
import type { RolloutPorts } from './application/rollout.ts';
import { auditBlockers, readStopConditions } from './application/stop-conditions.ts';
import { type RollbackConfig, type RolloutStepConfig, rollbackConfig, rolloutStepConfig } from './config.ts';
import { previousFlagParameterName } from './constants.ts';

/**
 * The rollout functions, wired one way for the deployed functions and the tests: the step of the
 * state machine and the rollback on an alarm or a flag change, each from the function's environment
 * or from options that name the clients and settings. (The local stack runs the same use cases
 * against its own parameter store and alarm evaluator: local/rollout.ts.)
 */

/** The execution a step belongs to: to tell this rollout from another one. */
export interface RolloutExecution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
}

/** What the step function is built from. */
export interface RolloutStepDependencies {
  readonly config: RolloutStepConfig;
  /** The flag, the stop conditions, the other executions and the traffic, as one execution's step sees them. */
  portsFor(execution: RolloutExecution): RolloutPorts;
}

/** The step's dependencies from options: SSM for the flag and the arming, CloudWatch, Step Functions. */
export function rolloutStepDependencies(options: {
  readonly config: RolloutStepConfig;
  readonly ssm: SSMClient;
  readonly cloudWatch: CloudWatchClient;
  readonly sfn: SFNClient;
}): RolloutStepDependencies {
  const { config, ssm, cloudWatch, sfn } = options;
  const previousName = previousFlagParameterName(config.flagParameterName);
  const alarms = cloudWatchAlarms(cloudWatch);
  const { auditAlarmName } = config;
  return {
    config,
    portsFor: (execution) => ({
      ...ssmFlagPorts(ssm, config.flagParameterName, previousName),
      ...ssmArmingPorts(ssm, config.rolloutStateParameterName),
      readStopConditions: () => readStopConditions(alarms, config.stopConditionsAlarmName),
      ...(auditAlarmName ? { raiseBlockers: () => auditBlockers(alarms, auditAlarmName) } : {}),
      otherRollouts: () => otherRunningExecutions(sfn, execution.stateMachineArn, execution.executionArn),
      previousMarker: async () => (await parameterVersion(ssm, previousName))?.toString(),
      includedEvents: (since: number) => includedEventsSince(cloudWatch, config.metrics, since),
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

/** What the rollback function is built from. */
export interface RollbackDependencies {
  readonly config: RollbackConfig;
  readonly ports: RollbackPorts;
}

/** The rollback's dependencies from options. */
export function rollbackDependencies(options: {
  readonly config: RollbackConfig;
  readonly ssm: SSMClient;
  readonly cloudWatch: CloudWatchClient;
}): RollbackDependencies {
  const { config, ssm } = options;
  const name = config.flagParameterName;
  const alarms = cloudWatchAlarms(options.cloudWatch);
  return {
    config,
    ports: {
      flag: ssmFlagPorts(ssm, name, previousFlagParameterName(name)),
      ...ssmArmingPorts(ssm, config.rolloutStateParameterName),
      readStopConditions: () => readStopConditions(alarms, config.stopConditionsAlarmName),
      latestFlagVersions: () => latestFlagVersions(ssm, name),
    },
  };
}

/** The deployed rollback's dependencies, from its environment. */
export function rollbackDependenciesFromEnv(env: NodeJS.ProcessEnv = process.env): RollbackDependencies {
  return rollbackDependencies({
    config: rollbackConfig(env),
    ssm: ssmClient(),
    cloudWatch: new CloudWatchClient({}),
  });
}
