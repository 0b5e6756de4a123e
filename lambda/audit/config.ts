import { type Environment, requiredString, requiredTables, wholeNumber } from '../shared/config.ts';
import type { TableNames } from '../shared/tables.ts';
import { AUDIT_DEFAULTS, type AuditSweepSettings } from './constants.ts';

/** Settings of the scheduled audit function. */
export interface ScheduledAuditConfig {
  readonly tables: Pick<TableNames, 'activities' | 'stats'>;
  /** SSM parameter holding where the sweep stopped; written by the function itself. */
  readonly cursorParameterName: string;
  readonly settings: Pick<AuditSweepSettings, 'itemsPerRun' | 'usersPerRun'>;
}

/** Reads the audit function's settings; throws a `ConfigurationError` naming what is missing. */
export function scheduledAuditConfig(env: Environment = process.env): ScheduledAuditConfig {
  return {
    tables: requiredTables(env, 'activities', 'stats'),
    cursorParameterName: requiredString(env, 'AUDIT_CURSOR_PARAMETER'),
    settings: {
      itemsPerRun: wholeNumber(env, 'AUDIT_ITEMS_PER_RUN', AUDIT_DEFAULTS.itemsPerRun, 1),
      usersPerRun: wholeNumber(env, 'AUDIT_USERS_PER_RUN', AUDIT_DEFAULTS.usersPerRun, 1),
    },
  };
}

/** Reads the stream audit's settings: the two tables it reads. */
export function streamAuditConfig(env: Environment = process.env): Pick<ScheduledAuditConfig, 'tables'> {
  return { tables: requiredTables(env, 'activities', 'stats') };
}
