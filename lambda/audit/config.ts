import { type Environment, requiredString, wholeNumber } from '../shared/config.ts';
import { AUDIT_DEFAULTS, type AuditSweepSettings } from './constants.ts';

/** Settings of the scheduled audit function. */
export interface ScheduledAuditConfig {
  readonly activityTableName: string;
  readonly statsTableName: string;
  /** SSM parameter holding where the sweep stopped; written by the function itself. */
  readonly cursorParameterName: string;
  readonly settings: Pick<AuditSweepSettings, 'itemsPerRun' | 'usersPerRun'>;
}

/** Reads the audit function's settings; throws a `ConfigurationError` naming what is missing. */
export function scheduledAuditConfig(env: Environment = process.env): ScheduledAuditConfig {
  return {
    activityTableName: requiredString(env, 'ACTIVITY_TABLE_NAME'),
    statsTableName: requiredString(env, 'STATS_TABLE_NAME'),
    cursorParameterName: requiredString(env, 'AUDIT_CURSOR_PARAMETER'),
    settings: {
      itemsPerRun: wholeNumber(env, 'AUDIT_ITEMS_PER_RUN', AUDIT_DEFAULTS.itemsPerRun, 1),
      usersPerRun: wholeNumber(env, 'AUDIT_USERS_PER_RUN', AUDIT_DEFAULTS.usersPerRun, 1),
    },
  };
}
