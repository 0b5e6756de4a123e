import type { EventBridgeEvent } from 'aws-lambda';
import { rollbackReported } from './adapters/telemetry.ts';
import { onFlagChange, onStopConditionAlarm, type RollbackOutcome } from './application/rollback.ts';
import { type RollbackDependencies, rollbackDependenciesFromEnv } from './wiring.ts';

/** The part of a "CloudWatch Alarm State Change" event the rollback reads. */
export interface AlarmStateChangeDetail {
  readonly alarmName: string;
  readonly state: { readonly value: string; readonly reason?: string };
}

/** The part of a "Parameter Store Change" event the rollback reads. */
export interface ParameterChangeDetail {
  readonly name: string;
  readonly operation: string;
}

/** What the rollback function's two rules deliver. */
export type RollbackEvent =
  | EventBridgeEvent<'CloudWatch Alarm State Change', AlarmStateChangeDetail>
  | EventBridgeEvent<'Parameter Store Change', ParameterChangeDetail>;

/** What a rollback did: also the message the alarm topic receives through the success destination. */
export interface RollbackResult extends RollbackOutcome {
  /** The alarm or the parameter whose event this was. */
  readonly source: string;
  readonly rolledBack: boolean;
}

/**
 * The stop-conditions composite went into ALARM, or the flag changed. The rules route only those;
 * names are checked again so a widened rule cannot turn the flag off. Armed, a stop condition rolls
 * the flag back (and a raise made while one is in ALARM is undone); otherwise it pages only.
 */
export function createRollback(deps: RollbackDependencies) {
  return async (event: RollbackEvent): Promise<RollbackResult> => {
    const now = Date.now();
    const { config, ports } = deps;
    let source: string;
    let outcome: RollbackOutcome;
    if (event['detail-type'] === 'Parameter Store Change') {
      source = event.detail.name;
      outcome =
        source === config.flagParameterName
          ? await onFlagChange(ports, now)
          : skipped(`${source} is not the flag ${config.flagParameterName}: nothing to do`);
    } else {
      source = event.detail.alarmName;
      const ours = source === config.stopConditionsAlarmName && event.detail.state.value === 'ALARM';
      outcome = ours
        ? await onStopConditionAlarm(ports, now)
        : skipped(
            `${source} (${event.detail.state.value}) is not the stop-conditions alarm in ALARM: flag left as it is`,
          );
    }
    const result = { ...outcome, source, rolledBack: outcome.action === 'rolled-back' };
    rollbackReported(result);
    return result;
  };
}

const skipped = (message: string): RollbackOutcome => ({
  action: 'ignored',
  flag: undefined,
  firing: '',
  message,
});

let deployed: ReturnType<typeof createRollback> | undefined;

/** Lambda entry point (the rules on the stop conditions and on the flag): dependencies are built on the first event. */
export const handler = (event: RollbackEvent): Promise<RollbackResult> => {
  deployed ??= createRollback(rollbackDependenciesFromEnv());
  return deployed(event);
};
