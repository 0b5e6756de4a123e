import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { backoff, sleep } from '../lambda/shared/backoff.ts';
import { LOCAL_AWS } from './clients.ts';

/** A batch handler, as Lambda's event source mapping calls it. */
export type StreamBatchHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;

/** Options of {@link startStreamConsumer}, mirroring the deployed event source mapping. */
export interface StreamConsumerOptions {
  readonly streams: DynamoDBStreamsClient;
  readonly tableName: string;
  readonly handler: StreamBatchHandler;
  /** Records per batch. @default 100 */
  readonly batchSize?: number;
  /** Retries of a failing batch before its records go to `onFailure`. @default 3 */
  readonly maxRetries?: number;
  /** Pause between polls of a shard that had nothing new, in ms. @default 50 */
  readonly idlePollMs?: number;
  /** Receives records that still failed after the retries (the on-failure destination). */
  readonly onFailure?: (records: readonly DynamoDBRecord[], reason: string) => Promise<void>;
  /** Told of each delivered batch (for logs and counters). */
  readonly onBatch?: (info: { records: number; failed: number; attempt: number }) => void;
  /** Told when reading the stream fails; the consumer keeps trying with backoff. */
  readonly onError?: (error: Error, consecutiveFailures: number) => void;
  /**
   * Per shard id, the sequence number to start after instead of the shard's oldest record: a
   * consumer restarted from an earlier checkpoint, as Lambda does after a failure. @default none
   */
  readonly startAfter?: Readonly<Record<string, string>>;
  /**
   * Where the shards open when the consumer starts begin: their oldest record, or only what is
   * written from now on (shards that appear later are read from their start, as Lambda does).
   * @default 'TRIM_HORIZON'
   */
  readonly startingPosition?: 'TRIM_HORIZON' | 'LATEST';
}

/** A running consumer. */
export interface StreamConsumer {
  /**
   * Resolves once every shard has been read to its end after this call and no batch is in flight:
   * everything written before the call has been handled.
   */
  waitUntilIdle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** The Lambda event-record shape of a stream record read with the Streams API. */
export function toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const data = record.dynamodb ?? {};
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? LOCAL_AWS.region,
    eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime: data.ApproximateCreationDateTime
        ? Math.floor(data.ApproximateCreationDateTime.getTime() / 1000)
        : undefined,
      Keys: data.Keys as never,
      NewImage: data.NewImage as never,
      OldImage: data.OldImage as never,
      SequenceNumber: data.SequenceNumber,
      SizeBytes: data.SizeBytes,
      StreamViewType: data.StreamViewType,
    },
  } as DynamoDBRecord;
}

/** The latest stream of a table. */
export async function streamArnOf(streams: DynamoDBStreamsClient, tableName: string): Promise<string> {
  const { Streams = [] } = await streams.send(new ListStreamsCommand({ TableName: tableName }));
  const arn = Streams.at(-1)?.StreamArn;
  if (!arn) throw new Error(`table ${tableName} has no stream: it must be created with a NEW_IMAGE stream`);
  return arn;
}

/** Every record currently in a table's stream, per shard in sequence order, as the Streams API gives them. */
export async function readShardRecords(
  streams: DynamoDBStreamsClient,
  tableName: string,
): Promise<{ streamArn: string; shards: Map<string, StreamRecord[]> }> {
  const streamArn = await streamArnOf(streams, tableName);
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const shards = new Map<string, StreamRecord[]>();
  for (const shard of StreamDescription?.Shards ?? []) {
    if (!shard.ShardId) continue;
    const records: StreamRecord[] = [];
    let { ShardIterator: iterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    while (iterator) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      records.push(...(page.Records ?? []));
      if ((page.Records ?? []).length === 0) break;
      iterator = page.NextShardIterator;
    }
    shards.set(shard.ShardId, records);
  }
  return { streamArn, shards };
}

/**
 * Every record currently in a table's stream, in Lambda's shape and sequence order per shard (tests
 * use it to hand exact batches to the handler).
 */
export async function readStreamRecords(
  streams: DynamoDBStreamsClient,
  tableName: string,
): Promise<DynamoDBRecord[]> {
  const { streamArn, shards } = await readShardRecords(streams, tableName);
  return [...shards.values()].flatMap((records) => records.map((r) => toLambdaRecord(r, streamArn)));
}

const compareSequence = (a: string, b: string) =>
  BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0;

/** The consumer's options with their defaults applied. */
type ConsumerSettings = StreamConsumerOptions &
  Required<Pick<StreamConsumerOptions, 'batchSize' | 'maxRetries' | 'idlePollMs'>>;

/** One shard's reading: busy while a batch is with the handler, done when the shard ended. */
interface ShardState {
  lastEmptyPollStartedAt: number;
  busy: boolean;
  done: boolean;
}

/**
 * Hands `records` to the handler until none is left failing: a partial batch response redelivers
 * from the lowest failed sequence number, a thrown error the whole batch; after `maxRetries` the
 * rest goes to `onFailure`.
 */
async function deliver(settings: ConsumerSettings, records: DynamoDBRecord[]): Promise<void> {
  let pending = records;
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    let failedIds: string[];
    let reason = '';
    try {
      const response = await settings.handler({ Records: pending });
      failedIds = (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
      reason = 'records reported as failed by the handler';
    } catch (error) {
      failedIds = [pending[0]?.dynamodb?.SequenceNumber ?? ''];
      reason = `handler threw: ${(error as Error).message}`;
    }
    try {
      settings.onBatch?.({ records: pending.length, failed: failedIds.length, attempt });
    } catch {
      // A failing observer does not change what the batch did.
    }
    if (failedIds.length === 0) return;
    const lowest = failedIds.filter(Boolean).sort(compareSequence)[0];
    const from = lowest ? pending.findIndex((r) => r.dynamodb?.SequenceNumber === lowest) : 0;
    // An unknown identifier fails the whole batch, as it does on Lambda.
    pending = pending.slice(Math.max(0, from));
    if (attempt > settings.maxRetries) {
      // The shard moves on either way: a failing failure destination must not block it forever.
      await Promise.resolve()
        .then(() => settings.onFailure?.(pending, `${reason} after ${attempt} attempts`))
        .catch((error: Error) => settings.onError?.(error, 1));
      return;
    }
    await backoff(attempt, { baseDelayMs: 40, maxDelayMs: 1000 });
  }
}

/** What a shard's polling loop reads from and when it stops. */
interface ShardPoll {
  readonly settings: ConsumerSettings;
  readonly streamArn: string;
  readonly shardId: string;
  readonly state: ShardState;
  readonly stopped: () => boolean;
  /** Where to begin before any record was handled. */
  readonly start: 'TRIM_HORIZON' | 'LATEST';
}

/** An iterator after the last record handled, or at the shard's oldest record before any. */
async function iteratorAfter(poll: ShardPoll, lastSequence: string | undefined): Promise<string | undefined> {
  const { ShardIterator } = await poll.settings.streams.send(
    new GetShardIteratorCommand({
      StreamArn: poll.streamArn,
      ShardId: poll.shardId,
      ...(lastSequence
        ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: lastSequence }
        : { ShardIteratorType: poll.start }),
    }),
  );
  return ShardIterator;
}

/** Reads one shard to its end (or until stopped), delivering its inserts in order. */
async function pollShard(poll: ShardPoll): Promise<void> {
  const { settings, state } = poll;
  let lastSequence: string | undefined = settings.startAfter?.[poll.shardId];
  let iterator: string | undefined;
  let failures = 0;
  while (!poll.stopped()) {
    try {
      // A LATEST shard reopened before its first record skips what was written meanwhile: a
      // consumer that starts at LATEST is a detector whose history another reader covers.
      iterator ??= await iteratorAfter(poll, lastSequence);
      if (!iterator) break;
      const startedAt = Date.now();
      const page = await settings.streams.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: settings.batchSize }),
      );
      failures = 0;
      const records = page.Records ?? [];
      const inserts = records
        .filter((r) => r.eventName === 'INSERT')
        .map((r) => toLambdaRecord(r, poll.streamArn));
      if (inserts.length > 0) {
        state.busy = true;
        try {
          await deliver(settings, inserts);
        } finally {
          state.busy = false;
        }
      }
      lastSequence = records.at(-1)?.dynamodb?.SequenceNumber ?? lastSequence;
      iterator = page.NextShardIterator;
      if (!iterator) break;
      if (records.length === 0) {
        state.lastEmptyPollStartedAt = startedAt;
        await sleep(settings.idlePollMs);
      }
    } catch (error) {
      // The engine may be restarting or the iterator expired: start again after the last record
      // handled, so nothing is skipped and nothing handled is delivered twice by this consumer.
      failures += 1;
      iterator = undefined;
      settings.onError?.(error as Error, failures);
      await backoff(failures, { baseDelayMs: 100, maxDelayMs: 2000 });
    }
  }
  state.done = true;
}

/**
 * Polls a table's stream and delivers batches to `handler` as Lambda's event source mapping does:
 * only INSERT records (the deployed filter), `batchSize` at a time, in order per shard. A partial
 * batch response redelivers from the lowest failed sequence number, including later records that
 * succeeded; a thrown error redelivers the whole batch; after `maxRetries` the records go to
 * `onFailure` and the shard moves on.
 */
export async function startStreamConsumer(options: StreamConsumerOptions): Promise<StreamConsumer> {
  const settings: ConsumerSettings = {
    ...options,
    batchSize: options.batchSize ?? 100,
    maxRetries: options.maxRetries ?? 3,
    idlePollMs: options.idlePollMs ?? 50,
  };
  const { streams, tableName } = settings;
  const streamArn = await streamArnOf(streams, tableName);
  let stopped = false;
  const shards = new Map<string, ShardState>();
  const loops: Promise<void>[] = [];
  let first = true;

  const discover = async (): Promise<void> => {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || shards.has(shard.ShardId)) continue;
      const state: ShardState = { lastEmptyPollStartedAt: 0, busy: false, done: false };
      shards.set(shard.ShardId, state);
      const start = first ? (settings.startingPosition ?? 'TRIM_HORIZON') : 'TRIM_HORIZON';
      loops.push(
        pollShard({ settings, streamArn, shardId: shard.ShardId, state, stopped: () => stopped, start }),
      );
    }
    first = false;
  };
  await discover();
  // New shards appear over time (and after a parent closes); look for them now and then.
  const discovery = setInterval(() => void discover().catch(() => undefined), 1000);

  return {
    async waitUntilIdle(timeoutMs = 300_000) {
      const since = Date.now();
      const deadline = since + timeoutMs;
      for (;;) {
        const states = [...shards.values()];
        if (states.every((s) => s.done || (!s.busy && s.lastEmptyPollStartedAt >= since))) return;
        if (Date.now() > deadline)
          throw new Error(`stream of ${tableName} not drained within ${timeoutMs} ms`);
        await sleep(10);
      }
    },
    async stop() {
      stopped = true;
      clearInterval(discovery);
      await Promise.allSettled(loops);
    },
  };
}
