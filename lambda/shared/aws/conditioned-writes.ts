import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { classifyStoreError } from './store-errors.ts';

/**
 * Conditioned writes: the builder of conditioned transaction items and the one way to send them.
 * The projector, the audit repair and the erasure record write the same way: each item is put (or
 * deleted) only if it is still as it was read (absent, present, or with the same value of one
 * attribute), so a transaction planned on stale state is cancelled, and reported as a conflict,
 * instead of overwriting a concurrent change.
 */

/**
 * What the item must still be: absent (`undefined`), present (`'present'`), holding `value` in
 * `attribute`, or holding each of `values` in the attribute of its name.
 */
export type Expected =
  | undefined
  | 'present'
  | { readonly attribute: string; readonly value: string | number }
  | { readonly values: Readonly<Record<string, string | number>> };

/** The condition that every named attribute holds its value (placeholders `#a0`, `:a0`, ...). */
function holding(values: Readonly<Record<string, string | number>>) {
  const entries = Object.entries(values);
  return {
    ConditionExpression: entries.map((_, i) => `#a${i} = :a${i}`).join(' AND '),
    ExpressionAttributeNames: Object.fromEntries(entries.map(([name], i) => [`#a${i}`, name])),
    ExpressionAttributeValues: Object.fromEntries(entries.map(([, value], i) => [`:a${i}`, value])),
  };
}

/** The condition expression of an {@link Expected} state (attribute names are always placeholders). */
export function conditionOn(expected: Expected) {
  if (expected === 'present')
    return { ConditionExpression: 'attribute_exists(#sk)', ExpressionAttributeNames: { '#sk': 'sk' } };
  if (expected === undefined)
    return { ConditionExpression: 'attribute_not_exists(#sk)', ExpressionAttributeNames: { '#sk': 'sk' } };
  if ('values' in expected) return holding(expected.values);
  return {
    ConditionExpression: `#${expected.attribute} = :${expected.attribute}`,
    ExpressionAttributeNames: { [`#${expected.attribute}`]: expected.attribute },
    ExpressionAttributeValues: { [`:${expected.attribute}`]: expected.value },
  };
}

/** A transaction item that puts `item` only if the stored one is still as expected. */
export function conditionedPut(tableName: string, item: Record<string, unknown>, expected: Expected) {
  return { Put: { TableName: tableName, Item: item, ...conditionOn(expected) } };
}

/** A transaction item that deletes the item at `key` only if it is still as expected. */
export function conditionedDelete(tableName: string, key: Record<string, unknown>, expected: Expected) {
  return { Delete: { TableName: tableName, Key: key, ...conditionOn(expected) } };
}

/** A put or a delete, with what the stored item must still be. */
export type ConditionedChange =
  | { readonly put: Record<string, unknown>; readonly expected: Expected }
  | { readonly delete: Record<string, unknown>; readonly expected: Expected };

/** The transaction item of a conditioned put or delete. */
export function conditionedChange(tableName: string, change: ConditionedChange) {
  return 'put' in change
    ? conditionedPut(tableName, change.put, change.expected)
    : conditionedDelete(tableName, change.delete, change.expected);
}

/** The expectation "`attribute` still holds `value`", or "absent" when there was no value. */
export function expecting(attribute: string, value: string | number | undefined): Expected {
  return value === undefined ? undefined : { attribute, value };
}

/**
 * Sends a transaction; a cancellation because a condition failed or another transaction touched
 * the same items is a `conflict` (the state moved on: plan again), anything else is thrown.
 */
export async function transactOrConflict(
  client: DynamoDBDocumentClient,
  items: NonNullable<TransactWriteCommandInput['TransactItems']>,
  action: string,
): Promise<'committed' | 'conflict'> {
  try {
    await client.send(new TransactWriteCommand({ TransactItems: items }));
    return 'committed';
  } catch (error) {
    if (
      error instanceof TransactionCanceledException &&
      (error.CancellationReasons ?? []).some(
        (r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict',
      )
    )
      return 'conflict';
    throw classifyStoreError(error, action);
  }
}
