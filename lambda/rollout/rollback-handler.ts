import type { EventBridgeEvent } from 'aws-lambda';
import { logger } from '../shared/aws/powertools.ts';
import { ssmClient } from '../shared/aws/ssm.ts';
import { ssmFlagPorts } from './adapters/rollout-aws.ts';
import { rollBackFlag } from './application/rollout.ts';
import { previousFlagParameterName, ROLLBACK_FLAG_VALUE } from './domain/rollout.ts';
import { rolloutStepConfig } from './step-handler.ts';

/** The part of a "CloudWatch Alarm State Change" event the rollback reads. */
export interface AlarmStateChangeDetail {
  readonly alarmName: string;
  readonly state: { readonly value: string; readonly reason?: string };
}

/** What a rollback did: also the message the alarm topic receives through the success destination. */
export interface RollbackResult {
  readonly alarm: string;
  readonly rolledBack: boolean;
  readonly flag: string;
  readonly previous?: string | undefined;
  readonly message: string;
}

const ssm = ssmClient();

/**
 * A stop-condition alarm went into ALARM: save the flag and turn it off. The rule only routes
 * stop-condition alarms; the name is checked again so a widened rule cannot turn the flag off.
 */
export async function handler(
  event: EventBridgeEvent<'CloudWatch Alarm State Change', AlarmStateChangeDetail>,
): Promise<RollbackResult> {
  const config = rolloutStepConfig();
  const { alarmName, state } = event.detail;
  if (!config.stopConditionAlarms.includes(alarmName) || state.value !== 'ALARM') {
    const message = `${alarmName} (${state.value}) is not a stop condition in ALARM: flag left as it is`;
    logger.info(message);
    return { alarm: alarmName, rolledBack: false, flag: 'unchanged', message };
  }
  const flagName = config.flagParameterName;
  const previous = await rollBackFlag(ssmFlagPorts(ssm, flagName, previousFlagParameterName(flagName)));
  const message =
    previous === undefined
      ? `stop condition ${alarmName} is in ALARM; the flag ${flagName} was already off`
      : `stop condition ${alarmName} is in ALARM (${state.reason ?? 'no reason given'}): the flag ${flagName} ` +
        `was "${previous}" and is now ${ROLLBACK_FLAG_VALUE}. Fix the cause, then put the value back with \`tpi flag restore\`.`;
  logger.warn(message, { alarm: alarmName, previous });
  return {
    alarm: alarmName,
    rolledBack: previous !== undefined,
    flag: ROLLBACK_FLAG_VALUE,
    previous,
    message,
  };
}
