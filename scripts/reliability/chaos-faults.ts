import { createHash } from 'node:crypto';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { ActivityWriter } from '../../lambda/recording/application/ports.ts';
import { TransientStoreError } from '../../lambda/shared/errors.ts';
import { readShardRecords, type StreamBatchHandler } from '../../local/stream-consumer.ts';
import type { ChaosFigures } from './chaos-figures.ts';
import type { Scenario } from './scenario.ts';

/** A number in [0, 1) from the inputs: fault decisions replay exactly for a given scenario. */
export function chance(...parts: (string | number)[]): number {
  return createHash('sha256').update(parts.join('\u0000')).digest().readUInt32BE(0) / 2 ** 32;
}

/** The current run's fault plan; the wrappers read it, so one stack serves every run. */
export interface FaultPlan {
  readonly scenario: Scenario;
  readonly writesSeen: Map<string, number>;
  readonly batchesSeen: Map<string, number>;
}

/**
 * The activity writer with injected faults: the first write of a (user, key) fails with the
 * scenario's probability, half the time before it reaches DynamoDB and half the time after the
 * item was stored (the handler then sees an error for a write that happened).
 */
export function faultyWriter(
  inner: ActivityWriter,
  plan: () => FaultPlan | undefined,
  figures: ChaosFigures,
): ActivityWriter {
  return {
    async putIfAbsent(activity) {
      const current = plan();
      if (!current) return inner.putIfAbsent(activity);
      const id = `${activity.userId}|${activity.idempotencyKey}`;
      const seen = (current.writesSeen.get(id) ?? 0) + 1;
      current.writesSeen.set(id, seen);
      const roll = chance(current.scenario.faultSeed, 'write', id);
      if (seen > 1 || roll >= current.scenario.recordFaultRate) return inner.putIfAbsent(activity);
      if (roll < current.scenario.recordFaultRate / 2) {
        figures.recordFaultsBeforeWrite += 1;
        throw new TransientStoreError(`injected fault before writing ${id}`);
      }
      const result = await inner.putIfAbsent(activity);
      figures.recordFaultsAfterWrite += 1;
      throw new TransientStoreError(`injected fault after writing ${id} (written: ${result.written})`);
    },
  };
}

/**
 * The statistics handler with injected faults: a batch fails with the scenario's probability after
 * its first half was applied, the way a Lambda that times out mid-batch leaves it.
 */
export function faultyStats(
  inner: StreamBatchHandler,
  plan: () => FaultPlan | undefined,
  figures: ChaosFigures,
): StreamBatchHandler {
  return async (event) => {
    const current = plan();
    const first = event.Records[0]?.dynamodb?.SequenceNumber ?? '';
    if (!current || event.Records.length === 0) return inner(event);
    const seen = (current.batchesSeen.get(first) ?? 0) + 1;
    current.batchesSeen.set(first, seen);
    if (seen > 1 || chance(current.scenario.faultSeed, 'batch', first) >= current.scenario.statsFaultRate)
      return inner(event);
    await inner({ Records: event.Records.slice(0, Math.floor(event.Records.length / 2)) });
    figures.statisticsFaults += 1;
    throw new Error(`injected fault after half of the batch starting at ${first}`);
  };
}

/** Per shard, the sequence number of a record some way back: where a restarted consumer resumes. */
export async function earlierCheckpoints(
  streams: DynamoDBStreamsClient,
  table: string,
  seed: number,
): Promise<Record<string, string>> {
  const { shards } = await readShardRecords(streams, table);
  const out: Record<string, string> = {};
  for (const [shardId, records] of shards) {
    const sequences = records.flatMap((r) => (r.dynamodb?.SequenceNumber ? [r.dynamodb.SequenceNumber] : []));
    // Somewhere in the last half: far enough back to redeliver applied records, never the whole history.
    const back = Math.floor(chance(seed, shardId) * Math.ceil(sequences.length / 2));
    const sequence = sequences[sequences.length - 1 - back];
    if (sequence) out[shardId] = sequence;
  }
  return out;
}
