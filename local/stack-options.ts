import type { ActivityWriter } from '../lambda/recording/application/ports.ts';
import { DEFAULT_FLAG_CACHE_SECONDS } from '../lambda/recording/constants.ts';
import type { StopConditionSettings } from '../lambda/rollout/constants.ts';
import { type Environment, seconds } from '../lambda/shared/config.ts';
import type { TableNames } from '../lambda/shared/tables.ts';
import type { LocalAudit } from './audit.ts';
import type { LocalCloudWatch } from './cloudwatch.ts';
import type { FailEntry } from './endpoint.ts';
import type { LocalApiAuth, ThrottleSettings } from './read-api.ts';
import type { LocalRollback } from './rollout-rollback.ts';
import type { StreamBatchHandler } from './stream-consumer.ts';

/** Options of {@link startLocalStack}. */
export interface LocalStackOptions {
  /** Port of the AWS endpoint; 0 picks a free one. @default 4010 */
  readonly port?: number;
  /** Port of DynamoDB Local; 0 picks a free one. @default 8000 */
  readonly dynamodbPort?: number;
  /** Use this running DynamoDB (Local) instead of starting one; no Java process is started then. */
  readonly dynamodbEndpoint?: string;
  /** Keep tables, the flag and the archive in this folder across restarts. @default in memory */
  readonly dataDir?: string;
  /** Prefix of the table names. @default "local-" */
  readonly tablePrefix?: string;
  /** Flag value set when the parameter does not exist yet (never overrides a stored value). @default "on" */
  readonly flag?: string;
  /** Seconds recording caches the flag. @default FLAG_CACHE_SECONDS or 15 */
  readonly flagCacheSeconds?: number;
  /**
   * Seconds the functions cache the set of erased users (and an erasure waits for it).
   * @default ERASURE_CACHE_SECONDS, else the flag's period
   */
  readonly erasureCacheSeconds?: number;
  /** Attempts per event before it becomes a `delivery-failed` dead letter. @default 3 */
  readonly deliveryAttempts?: number;
  /** First retry delay in ms, doubled per retry. @default 200 */
  readonly retryBaseMs?: number;
  /** Failure injection on PutEvents entries (publisher tests). */
  readonly failEntry?: FailEntry;
  /** Run the statistics projection from the activity table's stream. @default true */
  readonly statistics?: boolean;
  /** One line per event outcome and per stack message. @default no output */
  readonly log?: (line: string) => void;
  /** Wraps the recording handler's activity writer (fault injection in reliability tests). */
  readonly wrapActivities?: (writer: ActivityWriter) => ActivityWriter;
  /** Wraps the statistics handler the stream consumer calls (fault injection in reliability tests). */
  readonly wrapStatistics?: (handler: StreamBatchHandler) => StreamBatchHandler;
  /**
   * How long a `delivery-failed` dead letter keeps being retried when DynamoDB cannot store it, in ms.
   * Deliveries give up exactly when storage is down, so one attempt would lose the event. @default 60000
   */
  readonly deadLetterRetryMs?: number;
  /** Thresholds and M of N of the stop conditions. @default the deployed defaults */
  readonly stopConditions?: Partial<StopConditionSettings>;
  /**
   * The platform's alarms the tournament-operations condition names; each exists once set with
   * CloudWatch's `SetAlarmState` on the endpoint. @default none
   */
  readonly platformAlarms?: readonly string[];
  /** Every alarm's period, in seconds, instead of the declared ones (M of N stay). @default as deployed (300) */
  readonly alarmPeriodSeconds?: number;
  /** Seconds between runs of the scheduled audit's sweep (also its metrics' period). @default 300 */
  readonly auditIntervalSeconds?: number;
  /** Run the sweep on its schedule; off, only `RunAudit` runs it (the stream audit runs either way). @default true */
  readonly auditSweep?: boolean;
  /** Included events a rollout step must see before its hold counts. @default 0 */
  readonly minEventsPerStep?: number;
  /** The profile read API: its port (0 picks one), authorization and throttling. @default IAM on a free port */
  readonly api?: {
    readonly port?: number;
    readonly auth?: LocalApiAuth;
    readonly throttle?: ThrottleSettings;
  };
}

/** Seconds recording caches the flag: the option, else FLAG_CACHE_SECONDS, else the deployed default. */
export function flagCacheSecondsOf(options: LocalStackOptions, env: Environment = process.env): number {
  return options.flagCacheSeconds ?? seconds(env, 'FLAG_CACHE_SECONDS', DEFAULT_FLAG_CACHE_SECONDS);
}

/**
 * Seconds the functions cache the set of erased users: the option, else ERASURE_CACHE_SECONDS, else
 * the flag's period (one setting made both locally before they had names of their own).
 */
export function erasureCacheSecondsOf(options: LocalStackOptions, env: Environment = process.env): number {
  return (
    options.erasureCacheSeconds ?? seconds(env, 'ERASURE_CACHE_SECONDS', flagCacheSecondsOf(options, env))
  );
}

/** A running local stack. */
export interface LocalStack {
  /** The AWS endpoint for EventBridge and SSM clients. */
  readonly endpoint: string;
  readonly dynamodbEndpoint: string;
  readonly tables: TableNames;
  readonly busName: string;
  readonly eventSource: string;
  readonly flagParameterName: string;
  readonly archiveFile: string;
  /** Base URL of the profile read API. */
  readonly apiUrl: string;
  /** How the local API authorizes requests, in one line for the ready output. */
  readonly apiAuthNote: string;
  /** Pid of the DynamoDB Local Java process, when this stack started one. */
  readonly dynamodbPid: number | undefined;
  /** CloudFormation-style outputs, the same keys a deployed stack has (plus the DynamoDB endpoint). */
  outputs(): Record<string, string>;
  /** The local CloudWatch: its metrics and alarms (tests read and feed them). */
  readonly cloudWatch: LocalCloudWatch;
  /** The local rollback's outcomes, oldest first, and a wait for the events in flight. */
  readonly rollback: Pick<LocalRollback, 'outcomes' | 'idle'>;
  /** The local audit: a sweep run now, and a wait for the stream audit. */
  readonly audit: Pick<LocalAudit, 'sweep' | 'caughtUp'>;
  /** Resolves when every accepted event was delivered and the statistics caught up with it. */
  settled(): Promise<void>;
  /** Stops everything it started, DynamoDB Local included. */
  stop(): Promise<void>;
}
