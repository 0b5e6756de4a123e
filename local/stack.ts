import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { STACK_OUTPUTS } from '../infra/output-keys.ts';
import { AUDIT_DEFAULTS, auditNotRunningAlarmName } from '../lambda/audit/constants.ts';

import { createRecordHandler } from '../lambda/recording/handler.ts';
import { type RecordSummary, SsmFlagReader } from '../lambda/recording/index.ts';
import { recordingDependencies } from '../lambda/recording/wiring.ts';
import {
  NOT_ARMED,
  NOTHING_SAVED,
  previousFlagParameterName,
  rolloutStateParameterName,
  stopConditionsAlarmName,
} from '../lambda/rollout/constants.ts';
import { DynamoDeadLetterWriter } from '../lambda/shared/aws/dead-letters.ts';
import { DynamoErasureLog } from '../lambda/shared/aws/erasure-log.ts';
import { DEFAULT_EVENT_SOURCE, DEFAULT_FLAG_PARAMETER_NAME } from '../lambda/shared/contract/defaults.ts';
import type { BridgeEvent } from '../lambda/shared/contract/events.ts';
import { CachedErasedUsers } from '../lambda/shared/erased-users.ts';
import { type LocalAudit, startLocalAudit } from './audit.ts';
import { type LocalCloudWatch, startLocalCloudWatch } from './cloudwatch.ts';
import { type Cleanups, type Database, startDatabase } from './database.ts';
import { startLocalDelivery } from './delivery.ts';
import { isPortTaken } from './dynamodb-local.ts';
import { LOCAL_BUS, type LocalEndpoint, startLocalEndpoint } from './endpoint.ts';
import { localSettleSeconds, startErasureWorker } from './erasure-worker.ts';
import { LocalStackError } from './errors.ts';
import type { LocalEventBus } from './event-bus.ts';
import { type FlagWatch, watchFlag } from './flag-watch.ts';
import { type LocalMetrics, watchDynamoMetrics } from './metric-feeds.ts';
import { LocalParameterStore } from './parameters.ts';
import { LOCAL_SESSION_TOKEN, startParametersExtension } from './parameters-extension.ts';
import { type LocalProfileApi, startLocalProfileApi } from './read-api.ts';
import { archiveArns, LOCAL_ARCHIVE_NAME, replayOperations } from './replay-api.ts';
import { LocalRollout } from './rollout.ts';
import { rolloutOperations } from './rollout-operations.ts';
import { LocalRollback } from './rollout-rollback.ts';
import {
  erasureCacheSecondsOf,
  flagCacheSecondsOf,
  type LocalStack,
  type LocalStackOptions,
} from './stack-options.ts';
import { type StatisticsProjection, startStatistics } from './statistics.ts';
import { LOCAL_STACK_NAME } from './stop-conditions.ts';

/** Default port of the local AWS endpoint (EventBridge and SSM). */
export const DEFAULT_ENDPOINT_PORT = 4010;
/** `X-Amz-Target` of the local stack's own description (its CloudFormation-style outputs). */
export const DESCRIBE_LOCAL_STACK_TARGET = 'TournamentProfileLocal.DescribeStack';
/**
 * Answers once every event accepted so far is delivered and the statistics caught up: what a
 * client of a running stack (`npm run demo -- --endpoint URL`) waits for before reading.
 */
export const WAIT_UNTIL_SETTLED_TARGET = 'TournamentProfileLocal.WaitUntilSettled';
/** Output key, besides {@link STACK_OUTPUTS}, that tells the CLI where DynamoDB Local listens. */
export const DYNAMODB_ENDPOINT_OUTPUT = 'DynamoDbEndpoint';

/** The flag and the rollout's parameters (created if absent), the flag's watch, the local CloudWatch, the rollout and the rollback. */
interface FlagControl {
  readonly parameters: LocalParameterStore;
  readonly flagWatch: FlagWatch;
  readonly cloudWatch: LocalCloudWatch;
  readonly rollout: LocalRollout;
  readonly rollback: LocalRollback;
}

/** Seconds between runs of the local audit's sweep: the option, else the deployed default. */
const auditIntervalOf = (options: LocalStackOptions) =>
  options.auditIntervalSeconds ?? AUDIT_DEFAULTS.intervalMinutes * 60;

function startFlagControl(
  options: LocalStackOptions,
  dataDir: string | undefined,
  database: Database,
  log: (line: string) => void,
  cleanups: Cleanups,
): FlagControl {
  const parameters = new LocalParameterStore(
    LOCAL_BUS.region,
    LOCAL_BUS.account,
    dataDir ? join(dataDir, 'parameters.json') : undefined,
  );
  const flagParameterName = DEFAULT_FLAG_PARAMETER_NAME;
  const flagWatch = watchFlag(parameters, flagParameterName, log);
  parameters.putIfAbsent(flagParameterName, options.flag ?? 'on');
  // As the stack creates them: only when absent, never overwriting what a rollout or a rollback wrote.
  parameters.putIfAbsent(previousFlagParameterName(flagParameterName), NOTHING_SAVED);
  parameters.putIfAbsent(rolloutStateParameterName(flagParameterName), JSON.stringify(NOT_ARMED));
  flagWatch.check();
  const cloudWatch = startLocalCloudWatch({
    settings: options.stopConditions,
    platformAlarms: options.platformAlarms,
    auditPeriodSeconds: auditIntervalOf(options),
    periodSeconds: options.alarmPeriodSeconds,
  });
  cleanups.push(() => cloudWatch.stop());
  // DynamoDB's latency, throttles and server errors, per table and operation, as it publishes them.
  watchDynamoMetrics(database.dynamo, database.tables, cloudWatch.metrics);
  const parts = { parameters, flagParameterName, cloudWatch };
  const rollout = new LocalRollout({
    ...parts,
    log,
    ...(options.minEventsPerStep !== undefined ? { minEventsPerStep: options.minEventsPerStep } : {}),
  });
  cleanups.push(() => rollout.close());
  return { parameters, flagWatch, cloudWatch, rollout, rollback: new LocalRollback(parts, log) };
}

/** The audit of touched users and the periodic sweep, feeding the local CloudWatch. */
async function startAudit(
  options: LocalStackOptions,
  database: Database,
  metrics: LocalMetrics,
  log: (line: string) => void,
  cleanups: Cleanups,
): Promise<LocalAudit> {
  const audit = await startLocalAudit({
    doc: database.doc,
    dynamodbEndpoint: database.endpoint,
    tables: database.tables,
    metrics,
    periodSeconds: auditIntervalOf(options),
    scheduled: options.auditSweep ?? true,
    log,
  });
  cleanups.push(() => audit.stop());
  return audit;
}

/** CloudFormation-style outputs, the same keys a deployed stack has (plus the DynamoDB endpoint). */
function localOutputs(
  database: Database,
  apiUrl: string,
  erasureCacheSeconds: number,
): Record<string, string> {
  const { tables } = database;
  return {
    [STACK_OUTPUTS.eventBusName]: LOCAL_BUS.busName,
    [STACK_OUTPUTS.eventBusArn]: archiveArns(LOCAL_BUS).busArn,
    [STACK_OUTPUTS.eventSource]: DEFAULT_EVENT_SOURCE,
    [STACK_OUTPUTS.archiveName]: LOCAL_ARCHIVE_NAME,
    [STACK_OUTPUTS.activityTableName]: tables.activities,
    [STACK_OUTPUTS.statsTableName]: tables.stats,
    [STACK_OUTPUTS.deadLetterTableName]: tables.deadLetters,
    [STACK_OUTPUTS.flagParameterName]: DEFAULT_FLAG_PARAMETER_NAME,
    [STACK_OUTPUTS.erasureSettleSeconds]: String(localSettleSeconds(erasureCacheSeconds)),
    [DYNAMODB_ENDPOINT_OUTPUT]: database.endpoint,
    [STACK_OUTPUTS.profileApiUrl]: apiUrl,
    [STACK_OUTPUTS.stopConditionsAlarmName]: stopConditionsAlarmName(LOCAL_STACK_NAME),
    [STACK_OUTPUTS.auditAlarmName]: auditNotRunningAlarmName(LOCAL_STACK_NAME),
  };
}

/** The AWS endpoint: PutEvents onto the bus, SSM, the archive and replay API, the rollout, outputs. */
function startEndpoint(
  options: LocalStackOptions,
  port: number,
  parts: {
    parameters: LocalParameterStore;
    eventBus: LocalEventBus<RecordSummary>;
    control: FlagControl;
    audit: LocalAudit;
    /** Resolves once every accepted event is delivered and the statistics caught up. */
    settled: () => Promise<unknown>;
  },
  outputs: () => Record<string, string>,
  log: (line: string) => void,
): Promise<LocalEndpoint> {
  const { eventBus, settled } = parts;
  return startLocalEndpoint({
    port,
    bus: LOCAL_BUS,
    parameters: parts.parameters,
    ...(options.failEntry ? { failEntry: options.failEntry } : {}),
    onEvents: (events) => {
      for (const event of events) eventBus.publish(event);
    },
    onDefaultBus: (event) =>
      log(
        `dropped   ${event['detail-type']} ${event.id} (sent to the default bus: the entry has no EventBusName; ` +
          `no rule of this stack listens there, set EventBusName to ${LOCAL_BUS.busName})`,
      ),
    onError: (error) => log(`failed    handing accepted events to the bus: ${error.message}`),
    saturated: () => eventBus.saturated,
    operations: {
      ...rolloutOperations(parts.control.rollout, parts.audit),
      ...parts.control.cloudWatch.operations,
      [DESCRIBE_LOCAL_STACK_TARGET]: () => ({
        Outputs: Object.entries(outputs()).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      }),
      ...replayOperations(eventBus as LocalEventBus<unknown>, LOCAL_BUS),
      [WAIT_UNTIL_SETTLED_TARGET]: () => settled().then(() => ({})),
    },
  });
}

/**
 * The recording handler as the deployed function runs it, reading the flag through an emulation of
 * the Parameters and Secrets extension on a loopback port of its own, over the endpoint's parameters.
 */
async function startRecording(
  options: LocalStackOptions,
  database: Database,
  parts: { parameters: LocalParameterStore; metrics: LocalMetrics },
  cleanups: Cleanups,
): Promise<(event: BridgeEvent) => Promise<RecordSummary>> {
  const { doc, tables } = database;
  const extension = await startParametersExtension({
    parameters: parts.parameters,
    token: LOCAL_SESSION_TOKEN,
  });
  cleanups.push(() => extension.close());
  return createRecordHandler(
    recordingDependencies({
      client: doc,
      tables,
      flag: new SsmFlagReader({
        parameterName: DEFAULT_FLAG_PARAMETER_NAME,
        extension: { url: extension.url, token: LOCAL_SESSION_TOKEN },
        cacheSeconds: flagCacheSecondsOf(options),
      }),
      erased: new CachedErasedUsers(new DynamoErasureLog(doc, tables.stats), {
        cacheSeconds: erasureCacheSecondsOf(options),
      }),
      eventSource: DEFAULT_EVENT_SOURCE,
      wrapActivities: options.wrapActivities,
      onIncluded: () => parts.metrics.included(),
    }),
  );
}

/**
 * Starts the integration on this machine: DynamoDB Local with the tables, one AWS-compatible
 * endpoint (EventBridge PutEvents with archive and replay, SSM parameters), the recording handler
 * behind the same routing rules as the deployed bus, and the statistics projection on the activity
 * stream. The endpoint and the read API listen on 127.0.0.1 only; DynamoDB Local, which cannot be
 * told an address, listens on every interface of its port (docs/local.md says so).
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
  const cleanups: Cleanups = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step();
    cleanups.length = 0;
  };
  if (!dataDir) cleanups.push(() => rmSync(workDir, { recursive: true, force: true }));

  try {
    const database = await startDatabase(options, dataDir, cleanups);
    const control = startFlagControl(options, dataDir, database, log, cleanups);
    const { parameters, cloudWatch } = control;
    // Assigned once the endpoint listens: the flag reader calls the endpoint's SSM API, and no event
    // can be delivered before the endpoint accepted it.
    let record: ((event: BridgeEvent) => Promise<RecordSummary>) | undefined;
    const archiveFile = join(workDir, 'archive.jsonl');
    const eventBus = startBus(options, { archiveFile, database, control, log }, () => record);
    cleanups.push(() => eventBus.close());
    const audit = await startAudit(options, database, cloudWatch.metrics, log, cleanups);
    const erasureCacheSeconds = erasureCacheSecondsOf(options);
    const profileApi = await startApi(options, database, { erasureCacheSeconds, log }, cleanups);
    const outputs = () => localOutputs(database, profileApi.url, erasureCacheSeconds);
    let statistics: StatisticsProjection | undefined;
    const settled = () => eventBus.idle().then(() => statistics?.caughtUp());
    const endpoint = await startEndpoint(
      options,
      port,
      { parameters, eventBus, control, audit, settled },
      outputs,
      log,
    );
    cleanups.push(() => endpoint.close());
    const { metrics } = cloudWatch;
    record = await startRecording(options, database, { parameters, metrics }, cleanups);
    statistics = await startProjection(options, database, { erasureCacheSeconds, log, metrics });
    cleanups.push(async () => statistics?.stop());

    return handle({
      endpoint,
      database,
      archiveFile,
      profileApi,
      outputs,
      control,
      audit,
      settled,
      // Deliveries in flight finish first: they still need the endpoint (the flag) and DynamoDB.
      stop: () => eventBus.close().then(cleanup),
    });
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** The local bus with the deployed routing rules, delivering to the recording handler once it exists. */
function startBus(
  options: LocalStackOptions,
  parts: { archiveFile: string; database: Database; control: FlagControl; log: (line: string) => void },
  recorder: () => ((event: BridgeEvent) => Promise<RecordSummary>) | undefined,
): LocalEventBus<RecordSummary> {
  const { database } = parts;
  return startLocalDelivery({
    eventSource: DEFAULT_EVENT_SOURCE,
    archiveFile: parts.archiveFile,
    deliveryAttempts: options.deliveryAttempts ?? 3,
    retryBaseMs: options.retryBaseMs ?? 200,
    deadLetterRetryMs: options.deadLetterRetryMs ?? 60_000,
    deadLetters: new DynamoDeadLetterWriter(database.doc, database.tables.deadLetters),
    recorder,
    metrics: parts.control.cloudWatch.metrics,
    flagWatch: parts.control.flagWatch,
    log: parts.log,
  });
}

/** The statistics projection on the activity stream, unless the options turn it off. */
function startProjection(
  options: LocalStackOptions,
  database: Database,
  parts: { erasureCacheSeconds: number; log: (line: string) => void; metrics: LocalMetrics },
): Promise<StatisticsProjection | undefined> {
  if (options.statistics === false) return Promise.resolve(undefined);
  return startStatistics(database, parts.log, {
    erasureCacheSeconds: parts.erasureCacheSeconds,
    wrap: options.wrapStatistics,
    metrics: parts.metrics,
  });
}

/** The running stack as its users see it; `stop` runs once however often it is called. */
function handle(parts: {
  endpoint: LocalEndpoint;
  database: Database;
  archiveFile: string;
  profileApi: LocalProfileApi;
  outputs: () => Record<string, string>;
  control: FlagControl;
  audit: LocalAudit;
  settled: () => Promise<void>;
  stop: () => Promise<void>;
}): LocalStack {
  const { database, profileApi } = parts;
  let stopping: Promise<void> | undefined;
  return {
    endpoint: parts.endpoint.url,
    dynamodbEndpoint: database.endpoint,
    tables: database.tables,
    busName: LOCAL_BUS.busName,
    eventSource: DEFAULT_EVENT_SOURCE,
    flagParameterName: DEFAULT_FLAG_PARAMETER_NAME,
    archiveFile: parts.archiveFile,
    dynamodbPid: database.engine?.process.pid,
    apiUrl: profileApi.url,
    apiAuthNote: profileApi.authNote,
    outputs: parts.outputs,
    cloudWatch: parts.control.cloudWatch,
    rollback: parts.control.rollback,
    audit: parts.audit,
    settled: parts.settled,
    stop() {
      stopping ??= parts.stop();
      return stopping;
    },
  };
}

/** The profile read API on its own port, over the activity and statistics tables, with the erase route. */
async function startApi(
  options: LocalStackOptions,
  database: Database,
  erasure: { erasureCacheSeconds: number; log: (line: string) => void },
  cleanups: Cleanups,
): Promise<LocalProfileApi> {
  // Started first, stopped after the API: erasures it accepted finish before DynamoDB stops.
  const erasures = startErasureWorker(database, erasure.erasureCacheSeconds, erasure.log, cleanups);
  const profileApi = await startLocalProfileApi({
    doc: database.doc,
    tables: { activities: database.tables.activities, stats: database.tables.stats },
    erasureCacheSeconds: erasure.erasureCacheSeconds,
    erasures,
    port: options.api?.port ?? 0,
    ...(options.api?.auth ? { auth: options.api.auth } : {}),
    ...(options.api?.throttle ? { throttle: options.api.throttle } : {}),
  });
  cleanups.push(() => profileApi.close());
  return profileApi;
}
