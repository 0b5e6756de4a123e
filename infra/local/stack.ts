import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SSMClient } from '@aws-sdk/client-ssm';
import { documentClient } from '../../lambda/adapters/clients.ts';
import { DynamoDeadLetterWriter } from '../../lambda/adapters/dead-letter-store.ts';
import { DEFAULT_FLAG_CACHE_SECONDS, SsmFlagReader } from '../../lambda/adapters/flag-reader.ts';
import { recordingDependencies } from '../../lambda/adapters/recording.ts';
import { DynamoProjectionStore } from '../../lambda/adapters/stats-store.ts';
import type { ActivityWriter } from '../../lambda/application/ports.ts';
import { backoff } from '../../lambda/domain/backoff.ts';
import { deadLetterFor } from '../../lambda/domain/dead-letter.ts';
import { TransientStoreError } from '../../lambda/domain/errors.ts';
import { DEFAULT_EVENT_SOURCE } from '../../lambda/domain/events.ts';
import { DEFAULT_FLAG_PARAMETER_NAME } from '../../lambda/domain/flag.ts';
import type { StopConditionSettings } from '../../lambda/domain/stop-conditions.ts';
import { createStatsHandler } from '../../lambda/handlers/project-stats.ts';
import { createRecordHandler, type RecordSummary } from '../../lambda/handlers/record-activity.ts';
import { STACK_OUTPUTS } from '../outputs.ts';
import { routingRules } from '../routing.ts';
import { LOCAL_AWS, localDynamoClient, localStreamsClient } from './clients.ts';
import { type DynamoDbLocal, isPortTaken, startDynamoDbLocal } from './dynamodb-local.ts';
import { type FailEntry, LOCAL_BUS, type LocalEndpoint, startLocalEndpoint } from './endpoint.ts';
import { LocalEventBus } from './event-bus.ts';
import { watchFlag } from './flag-watch.ts';
import { LocalParameterStore } from './parameters.ts';
import {
  type LocalApiAuth,
  type LocalProfileApi,
  startLocalProfileApi,
  type ThrottleSettings,
} from './profile-api.ts';
import type { BridgeEvent } from './put-events.ts';
import { archiveArns, LOCAL_ARCHIVE_NAME, replayOperations } from './replay-api.ts';
import { LocalRollout, rolloutOperations } from './rollout.ts';
import { localAudit, watchDynamoFaults } from './stop-conditions.ts';
import { type StreamBatchHandler, startStreamConsumer } from './stream-consumer.ts';
import { ensureTables, type TableNames, tableNames } from './tables.ts';

/** Default port of the local AWS endpoint (EventBridge and SSM). */
export const DEFAULT_ENDPOINT_PORT = 4010;
/** Default port of DynamoDB Local. */
export const DEFAULT_DYNAMODB_PORT = 8000;
export { LOCAL_ARCHIVE_NAME } from './replay-api.ts';
/** `X-Amz-Target` of the local stack's own description (its CloudFormation-style outputs). */
export const DESCRIBE_LOCAL_STACK_TARGET = 'TournamentProfileLocal.DescribeStack';
/** Output key, besides {@link STACK_OUTPUTS}, that tells the CLI where DynamoDB Local listens. */
export const DYNAMODB_ENDPOINT_OUTPUT = 'DynamoDbEndpoint';

/** The stack could not start: the message says what to change. */
export class LocalStackError extends Error {
  override readonly name = 'LocalStackError';
}

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
  /** Seconds the recording handler caches the flag. @default FLAG_CACHE_SECONDS or 15 */
  readonly flagCacheSeconds?: number;
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
  /** Thresholds of the local stop conditions. @default the deployed defaults */
  readonly stopConditions?: Partial<StopConditionSettings>;
  /** Events a rollout step must handle before its hold counts. @default 0 */
  readonly minEventsPerStep?: number;
  /** The profile read API: its port (0 picks one), authorization and throttling. @default IAM on a free port */
  readonly api?: {
    readonly port?: number;
    readonly auth?: LocalApiAuth;
    readonly throttle?: ThrottleSettings;
  };
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
  /** Resolves when every accepted event was delivered and the statistics caught up with it. */
  settled(): Promise<void>;
  /** Stops everything it started, DynamoDB Local included. */
  stop(): Promise<void>;
}

/** The dominant word of an outcome, for the one-line log. */
function outcomeWord(summary: RecordSummary): string {
  if (summary.status === 'invalid') return 'invalid';
  if (summary.conflicts > 0) return 'conflict';
  if (summary.recorded > 0) return 'recorded';
  if (summary.duplicates > 0) return 'duplicate';
  return 'skipped';
}

/** One readable line per delivered event. */
export function describeOutcome(event: BridgeEvent, summary: RecordSummary): string {
  const replay = event['replay-name'] ? ` (replay ${event['replay-name']})` : '';
  const word = outcomeWord(summary).padEnd(9);
  if (summary.status === 'invalid')
    return `${word} ${event['detail-type']} → dead letter ${summary.deadLetterId}: ${summary.reasons.join('; ')}${replay}`;
  return (
    `${word} ${summary.detailType} ${summary.idempotencyKey}: ${summary.recorded} recorded, ` +
    `${summary.duplicates} duplicate, ${summary.conflicts} conflict, ${summary.skipped} skipped (flag ${summary.flag})${replay}`
  );
}

interface StatisticsProjection {
  stop(): Promise<void>;
  caughtUp(): Promise<void>;
}

/** Starts the statistics projection on the activity stream, as the deployed event source mapping runs it. */
async function startStatistics(
  dynamodbEndpoint: string,
  tables: TableNames,
  log: (line: string) => void,
  wrap: (handler: StreamBatchHandler) => StreamBatchHandler = (handler) => handler,
  signals?: Pick<LocalRollout, 'statisticsFailed' | 'dynamoFault'>,
): Promise<StatisticsProjection> {
  const streams = localStreamsClient(dynamodbEndpoint);
  const dynamo = localDynamoClient(dynamodbEndpoint);
  if (signals) watchDynamoFaults(dynamo, () => signals.dynamoFault());
  const consumer = await startStreamConsumer({
    streams,
    tableName: tables.activities,
    handler: wrap(
      createStatsHandler({ store: new DynamoProjectionStore(documentClient(dynamo), tables.stats) }),
    ),
    batchSize: 100,
    onFailure: async (records, reason) => {
      signals?.statisticsFailed(records.length);
      log(`failed    statistics for ${records.length} activities not applied after retries: ${reason}`);
    },
    // A single failed poll is routine on DynamoDB Local (the consumer retries it); repeated ones are news.
    onError: (error, failures) => {
      if (failures >= 3)
        log(`retry     reading the activity stream failed ${failures} times in a row: ${error.message}`);
    },
  });
  return {
    caughtUp: () => consumer.waitUntilIdle(),
    async stop() {
      await consumer.stop();
      streams.destroy();
      dynamo.destroy();
    },
  };
}

/**
 * Starts the integration on this machine: DynamoDB Local with the tables, one AWS-compatible
 * endpoint (EventBridge PutEvents with archive and replay, SSM parameters), the recording handler
 * behind the same routing rules as the deployed bus, and the statistics projection on the activity
 * stream. Everything listens on 127.0.0.1 only.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  const port = options.port ?? DEFAULT_ENDPOINT_PORT;
  if (port !== 0 && (await isPortTaken(port)))
    throw new LocalStackError(
      `port ${port} is already in use: stop what uses it or choose another port with --port`,
    );

  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  const workDir = dataDir ?? mkdtempSync(join(tmpdir(), 'tpi-local-'));
  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step();
    cleanups.length = 0;
  };
  if (!dataDir) cleanups.push(() => rmSync(workDir, { recursive: true, force: true }));

  try {
    let engine: DynamoDbLocal | undefined;
    let dynamodbEndpoint = options.dynamodbEndpoint;
    if (!dynamodbEndpoint) {
      const dynamoDir = dataDir ? join(dataDir, 'dynamodb') : undefined;
      if (dynamoDir) mkdirSync(dynamoDir, { recursive: true });
      const dynamodbPort = options.dynamodbPort ?? DEFAULT_DYNAMODB_PORT;
      engine = await startDynamoDbLocal({
        ...(dynamodbPort !== 0 ? { port: dynamodbPort } : {}),
        ...(dynamoDir ? { dataDir: dynamoDir } : {}),
      });
      const started = engine;
      cleanups.push(() => started.stop());
      dynamodbEndpoint = engine.endpoint;
    }

    const tables = tableNames(options.tablePrefix ?? 'local-');
    const dynamo = localDynamoClient(dynamodbEndpoint);
    cleanups.push(() => dynamo.destroy());
    // Throttles and server errors count toward the database stop condition (retried or not).
    const faults: { count: () => void } = { count: () => undefined };
    watchDynamoFaults(dynamo, () => faults.count());
    await ensureTables(dynamo, tables);
    const doc = documentClient(dynamo);

    const bus = LOCAL_BUS;
    const eventSource = DEFAULT_EVENT_SOURCE;
    const flagParameterName = DEFAULT_FLAG_PARAMETER_NAME;
    const parameters = new LocalParameterStore(
      bus.region,
      bus.account,
      dataDir ? join(dataDir, 'parameters.json') : undefined,
    );
    const flagWatch = watchFlag(parameters, flagParameterName, log);
    parameters.putIfAbsent(flagParameterName, options.flag ?? 'on');
    flagWatch.check();
    const rollout = new LocalRollout({
      parameters,
      flagParameterName,
      log,
      ...(options.stopConditions ? { stopConditions: options.stopConditions } : {}),
      ...(options.minEventsPerStep !== undefined ? { minEventsPerStep: options.minEventsPerStep } : {}),
      audit: localAudit(doc, tables),
    });
    faults.count = () => rollout.dynamoFault();
    cleanups.push(() => rollout.close());

    const deadLetters = new DynamoDeadLetterWriter(doc, tables.deadLetters);
    // Assigned once the endpoint listens: the flag reader calls the endpoint's SSM API, and no event
    // can be delivered before the endpoint accepted it.
    let record: ((event: BridgeEvent) => Promise<RecordSummary>) | undefined;

    const archiveFile = join(workDir, 'archive.jsonl');
    const eventBus = new LocalEventBus<RecordSummary>({
      rules: routingRules(eventSource),
      target: (event) => {
        if (!record) throw new Error('the recording handler is not ready yet');
        const started = performance.now();
        return record(event).finally(() => rollout.recordingDuration(performance.now() - started));
      },
      archiveFile,
      deliveryAttempts: options.deliveryAttempts ?? 3,
      retryBaseMs: options.retryBaseMs ?? 200,
      onDelivered: (event, summary) => {
        log(describeOutcome(event, summary));
        if (summary.status !== 'invalid') flagWatch.delivered(summary.flag);
        rollout.delivered(summary);
      },
      onUnmatched: (event) =>
        log(
          `dropped   ${event['detail-type']} ${event.id} (no rule matched: source ${JSON.stringify(event.source)}, ` +
            `detail-type ${JSON.stringify(event['detail-type'])}); EventBridge drops it silently`,
        ),
      onBackgroundError: (message) => log(`failed    ${message}`),
      onRetry: (event, attempt, error) => {
        rollout.failedDelivery();
        log(
          `retry     ${event['detail-type']} ${event.id}: attempt ${attempt} failed: ${(error as Error).message}`,
        );
      },
      onGiveUp: async (event, attempts, error) => {
        rollout.gaveUp();
        const reason = `not delivered after ${attempts} attempts: ${(error as Error).message}`;
        const deadLetter = deadLetterFor(event, 'delivery-failed', [reason], new Date());
        log(`failed    ${event['detail-type']} → dead letter ${deadLetter.deadLetterId}: ${reason}`);
        const retryUntil = Date.now() + (options.deadLetterRetryMs ?? 60_000);
        for (let attempt = 1; ; attempt += 1) {
          try {
            await deadLetters.put(deadLetter);
            return;
          } catch (storeError) {
            if (!(storeError instanceof TransientStoreError) || Date.now() >= retryUntil) {
              log(
                `failed    could not store dead letter ${deadLetter.deadLetterId}: ${(storeError as Error).message}; ` +
                  'the event is still in the archive: replay its time window once DynamoDB answers again',
              );
              return;
            }
            await backoff(attempt, { baseDelayMs: 100, maxDelayMs: 2000 });
          }
        }
      },
    });
    cleanups.push(() => eventBus.close());

    const profileApi: LocalProfileApi = await startLocalProfileApi({
      doc,
      tables: { activityTable: tables.activities, statsTable: tables.stats },
      port: options.api?.port ?? 0,
      ...(options.api?.auth ? { auth: options.api.auth } : {}),
      ...(options.api?.throttle ? { throttle: options.api.throttle } : {}),
    });
    cleanups.push(() => profileApi.close());

    const { busArn } = archiveArns(bus);
    const outputs = (): Record<string, string> => ({
      [STACK_OUTPUTS.eventBusName]: bus.busName,
      [STACK_OUTPUTS.eventBusArn]: busArn,
      [STACK_OUTPUTS.eventSource]: eventSource,
      [STACK_OUTPUTS.archiveName]: LOCAL_ARCHIVE_NAME,
      [STACK_OUTPUTS.activityTableName]: tables.activities,
      [STACK_OUTPUTS.statsTableName]: tables.stats,
      [STACK_OUTPUTS.deadLetterTableName]: tables.deadLetters,
      [STACK_OUTPUTS.flagParameterName]: flagParameterName,
      [DYNAMODB_ENDPOINT_OUTPUT]: dynamodbEndpoint as string,
      [STACK_OUTPUTS.profileApiUrl]: profileApi.url,
    });
    const endpoint: LocalEndpoint = await startLocalEndpoint({
      port,
      bus,
      parameters,
      ...(options.failEntry ? { failEntry: options.failEntry } : {}),
      onEvents: (events) => {
        for (const event of events) eventBus.publish(event);
      },
      onDefaultBus: (event) =>
        log(
          `dropped   ${event['detail-type']} ${event.id} (sent to the default bus: the entry has no EventBusName; ` +
            `no rule of this stack listens there, set EventBusName to ${bus.busName})`,
        ),
      onError: (error) => log(`failed    handing accepted events to the bus: ${error.message}`),
      saturated: () => eventBus.saturated,
      operations: {
        ...rolloutOperations(rollout),
        [DESCRIBE_LOCAL_STACK_TARGET]: () => ({
          Outputs: Object.entries(outputs()).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        }),
        ...replayOperations(eventBus as LocalEventBus<unknown>, bus),
      },
    });
    cleanups.push(() => endpoint.close());
    const ssm = new SSMClient({ ...LOCAL_AWS, endpoint: endpoint.url });
    cleanups.push(() => ssm.destroy());
    const envCache = process.env.FLAG_CACHE_SECONDS ? Number(process.env.FLAG_CACHE_SECONDS) : Number.NaN;
    const cacheSeconds =
      options.flagCacheSeconds ?? (Number.isFinite(envCache) ? envCache : DEFAULT_FLAG_CACHE_SECONDS);
    record = createRecordHandler(
      recordingDependencies({
        client: doc,
        tables,
        flag: new SsmFlagReader(ssm, { parameterName: flagParameterName, cacheSeconds }),
        eventSource,
        wrapActivities: options.wrapActivities,
      }),
    );

    const statistics =
      options.statistics === false
        ? undefined
        : await startStatistics(dynamodbEndpoint, tables, log, options.wrapStatistics, rollout);
    if (statistics) cleanups.push(() => statistics.stop());

    let stopping: Promise<void> | undefined;
    return {
      endpoint: endpoint.url,
      dynamodbEndpoint,
      tables,
      busName: bus.busName,
      eventSource,
      flagParameterName,
      archiveFile,
      dynamodbPid: engine?.process.pid,
      apiUrl: profileApi.url,
      apiAuthNote: profileApi.authNote,
      outputs,
      async settled() {
        await eventBus.idle();
        await statistics?.caughtUp();
      },
      stop() {
        // Deliveries in flight finish first: they still need the endpoint (the flag) and DynamoDB.
        stopping ??= eventBus.close().then(cleanup);
        return stopping;
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
