import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { itemSizeBytes, writeUnitsOf } from './item-size.ts';

/** Capacity units one client consumed, as DynamoDB reported them (tables and indexes). */
export interface CapacityTotals {
  /** Write units charged to tables (items written). */
  tableWrite: number;
  /** Write units charged to indexes (copies of items in local and global secondary indexes). */
  indexWrite: number;
  /** Read units (tables and indexes), as reported. */
  read: number;
  /** The part of `read` that queries and single-item reads consumed (the projector's sequence reads). */
  queryRead: number;
  /**
   * Write units of failed conditional puts, which DynamoDB charges but does not report: the larger
   * of the stored and the new item, 1 unit per started KB, table only (no index is written).
   */
  failedConditionWrite: number;
  /** Failed conditional puts seen. */
  failedConditions: number;
  /**
   * Write units of transactions as DynamoDB documents them: 2 per started KB of each item written.
   * DynamoDB Local under-reports transactions (2 units for three small items), so this is the
   * figure to price; `tableWrite` keeps what the engine reported.
   */
  transactionWrite: number;
  /** Items written by transactions (puts and deletes). */
  transactionItems: number;
  /**
   * Read units of `BatchGetItem` as documented: 1 per key read strongly consistently (0.5 eventually
   * consistent), found or not, for items up to 4 KB. DynamoDB Local reports found items only.
   */
  batchRead: number;
}

/** Meters what one client consumes; `reset()` starts a new measurement. */
export interface CapacityMeter {
  readonly totals: CapacityTotals;
  reset(): void;
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

interface Consumed {
  readonly Table?: { readonly CapacityUnits?: number };
  readonly LocalSecondaryIndexes?: Record<string, { readonly CapacityUnits?: number }>;
  readonly GlobalSecondaryIndexes?: Record<string, { readonly CapacityUnits?: number }>;
  readonly CapacityUnits?: number;
}

interface MeteredInput {
  ReturnConsumedCapacity?: string;
  Item?: Record<string, unknown>;
  TransactItems?: readonly { readonly Put?: { readonly Item?: Record<string, unknown> } }[];
  RequestItems?: Record<string, { readonly Keys?: readonly unknown[]; readonly ConsistentRead?: boolean }>;
}

/**
 * Documented charge of a transaction: 2 units per started KB of every item put, 2 per deleted item
 * (the items this project deletes in transactions, sequence items, are far below 1 KB).
 */
function documentedTransaction(input: MeteredInput): number {
  return (input.TransactItems ?? []).reduce(
    (sum, action) => sum + (action.Put?.Item ? 2 * writeUnitsOf(itemSizeBytes(action.Put.Item)) : 2),
    0,
  );
}

/** Documented charge of a batch read of small items: 1 unit per key strongly consistent, 0.5 otherwise. */
function documentedBatchRead(input: MeteredInput): number {
  return Object.values(input.RequestItems ?? {}).reduce(
    (sum, request) => sum + (request.Keys?.length ?? 0) * (request.ConsistentRead ? 1 : 0.5),
    0,
  );
}

const indexUnits = (indexes: Consumed['LocalSecondaryIndexes']) =>
  Object.values(indexes ?? {}).reduce((sum, i) => sum + (i.CapacityUnits ?? 0), 0);

/**
 * Asks DynamoDB for `ReturnConsumedCapacity: INDEXES` on every request of the client (a document
 * client built on it included) and adds up what comes back. A failed conditional put is charged
 * too, but DynamoDB returns no capacity with the error: its charge is computed from the item sizes
 * as documented (the stored item comes back with `ReturnValuesOnConditionCheckFailure: ALL_OLD`).
 */
export function meterCapacity(client: DynamoDBClient): CapacityMeter {
  const totals: CapacityTotals = {
    tableWrite: 0,
    indexWrite: 0,
    read: 0,
    queryRead: 0,
    failedConditionWrite: 0,
    failedConditions: 0,
    transactionWrite: 0,
    transactionItems: 0,
    batchRead: 0,
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as MeteredInput;
      input.ReturnConsumedCapacity = 'INDEXES';
      const operation = (context.commandName ?? '').replace(/Command$/, '');
      if (operation === 'TransactWriteItems') {
        totals.transactionWrite += documentedTransaction(input);
        totals.transactionItems += input.TransactItems?.length ?? 0;
      }
      if (operation === 'BatchGetItem') totals.batchRead += documentedBatchRead(input);
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next(args);
      } catch (error) {
        const stored = (error as { name?: string; Item?: Record<string, unknown> }).Item;
        if ((error as { name?: string }).name === 'ConditionalCheckFailedException' && input.Item) {
          const bytes = Math.max(itemSizeBytes(input.Item), stored ? itemSizeBytes(stored) : 0);
          totals.failedConditionWrite += writeUnitsOf(bytes);
          totals.failedConditions += 1;
        }
        throw error;
      }
      const consumed = (result.output as { ConsumedCapacity?: Consumed | Consumed[] }).ConsumedCapacity;
      for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
        const indexes = indexUnits(c.LocalSecondaryIndexes) + indexUnits(c.GlobalSecondaryIndexes);
        const table = c.Table?.CapacityUnits ?? (c.CapacityUnits ?? 0) - indexes;
        if (WRITES.has(operation)) {
          totals.tableWrite += table;
          totals.indexWrite += indexes;
        } else {
          totals.read += table + indexes;
          if (operation === 'Query' || operation === 'GetItem') totals.queryRead += table + indexes;
        }
      }
      return result;
    },
    { step: 'initialize', name: 'benchCapacityMeter' },
  );
  return {
    totals,
    reset() {
      totals.tableWrite = 0;
      totals.indexWrite = 0;
      totals.read = 0;
      totals.queryRead = 0;
      totals.failedConditionWrite = 0;
      totals.failedConditions = 0;
      totals.transactionWrite = 0;
      totals.transactionItems = 0;
      totals.batchRead = 0;
    },
  };
}
