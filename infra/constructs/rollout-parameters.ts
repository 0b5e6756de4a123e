import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import {
  NOT_ARMED,
  NOTHING_SAVED,
  previousFlagParameterName,
  rolloutStateParameterName,
} from '../../lambda/rollout/constants.ts';
import { FlagParameter } from './flag-parameter.ts';

/** The parameters next to the flag that the rollout functions read and write. */
export interface RolloutParameters {
  /** The value the last rollback replaced (`tpi flag restore` puts it back). */
  readonly previous: FlagParameter;
  /** Whether the stop conditions are armed, and a raise not yet confirmed (JSON, `RolloutArming`). */
  readonly state: FlagParameter;
  /** Get and put on the flag and both parameters, nothing else in SSM. */
  readonly access: PolicyStatement;
}

/**
 * `<flag>/previous` and `<flag>/rollout-state` as children `PreviousFlag` and `RolloutState` of
 * `scope`. Both are created only when absent, like the flag: a value retained from a deleted stack
 * does not block a new one, and no deploy overwrites what a rollback or a rollout wrote.
 */
export function addRolloutParameters(
  scope: Construct,
  flag: FlagParameter,
  production: boolean,
): RolloutParameters {
  const previous = new FlagParameter(scope, 'PreviousFlag', {
    parameterName: previousFlagParameterName(flag.parameterName),
    production,
    initialValue: NOTHING_SAVED,
    description: 'Flag value saved by the last automatic rollback; `tpi flag restore` puts it back.',
  });
  const state = new FlagParameter(scope, 'RolloutState', {
    parameterName: rolloutStateParameterName(flag.parameterName),
    production,
    initialValue: JSON.stringify(NOT_ARMED),
    description:
      'Rollout state: until when the stop conditions roll the flag back, and a raise not yet confirmed.',
  });
  const access = new PolicyStatement({
    sid: 'FlagSavedValueAndRolloutState',
    actions: ['ssm:GetParameter', 'ssm:PutParameter'],
    resources: [flag.parameterArn, previous.parameterArn, state.parameterArn],
  });
  return { previous, state, access };
}
