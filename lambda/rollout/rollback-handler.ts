import type { EventBridgeEvent } from 'aws-lambda';
import { rollbackSkipped, rolledBack } from './adapters/telemetry.ts';
import { rollBackFlag } from './application/rollout.ts';
import { ROLLBACK_FLAG_VALUE } from './constants.ts';
import { type RollbackDependencies, rollbackDependenciesFromEnv } from './wiring.ts';

/** The part of a "CloudWatch Alarm State Change" event the rollback reads. */
export interface AlarmStateChangeDetail {
  readonly alarmName: string;
  readonly state: { readonly value: string; readonly reason?: string };
}

/** A "CloudWatch Alarm State Change" event, as the rollback rule delivers it. */
export type AlarmStateChange = EventBridgeEvent<'CloudWatch Alarm State Change', AlarmStateChangeDetail>;

/** What a rollback did: also the message the alarm topic receives through the success destination. */
export interface RollbackResult {
  readonly alarm: string;
  readonly rolledBack: boolean;
  readonly flag: string;
  readonly previous?: string | undefined;
  readonly message: string;
}

/**
 * A rollback alarm went into ALARM: save the flag and turn it off. The rule only routes rollback
 * alarms; the name is checked again so a widened rule cannot turn the flag off.
 */
export function createRollback(deps: RollbackDependencies) {
  return async (event: AlarmStateChange): Promise<RollbackResult> => {
    const { alarmName, state } = event.detail;
    if (!deps.config.rollbackAlarms.includes(alarmName) || state.value !== 'ALARM') {
      const message = `${alarmName} (${state.value}) is not a stop condition in ALARM: flag left as it is`;
      rollbackSkipped(message);
      return { alarm: alarmName, rolledBack: false, flag: 'unchanged', message };
    }
    const flagName = deps.config.flagParameterName;
    const previous = await rollBackFlag(deps.flag);
    const message =
      previous === undefined
        ? `stop condition ${alarmName} is in ALARM; the flag ${flagName} was already off`
        : `stop condition ${alarmName} is in ALARM (${state.reason ?? 'no reason given'}): the flag ${flagName} ` +
          `was "${previous}" and is now ${ROLLBACK_FLAG_VALUE}. Fix the cause, then put the value back with \`tpi flag restore\`.`;
    rolledBack(message, alarmName, previous);
    return {
      alarm: alarmName,
      rolledBack: previous !== undefined,
      flag: ROLLBACK_FLAG_VALUE,
      previous,
      message,
    };
  };
}

let deployed: ReturnType<typeof createRollback> | undefined;

/** Lambda entry point (the rule on rollback alarms): dependencies are built on the first event. */
export const handler = (event: AlarmStateChange): Promise<RollbackResult> => {
  deployed ??= createRollback(rollbackDependenciesFromEnv());
  return deployed(event);
};
