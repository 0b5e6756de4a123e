import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

/** A number's size as DynamoDB documents it: about one byte per two significant digits, plus one. */
function numberSize(text: string): number {
  const digits = text.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '');
  return Math.ceil(Math.max(1, digits.replace(/0+$/, '').length) / 2) + 1;
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((n, s) => n + utf8(s), 0);
  if (value.NS) return value.NS.reduce((n, s) => n + numberSize(s), 0);
  if (value.M) return 3 + Object.entries(value.M).reduce((n, [k, v]) => n + 1 + utf8(k) + valueSize(v), 0);
  if (value.L) return 3 + value.L.reduce((n, v) => n + 1 + valueSize(v), 0);
  return 0;
}

const TYPE_KEYS = new Set(['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS']);

const isMarshalled = (item: Record<string, unknown>) =>
  Object.values(item).every(
    (v) =>
      v !== null &&
      typeof v === 'object' &&
      Object.keys(v).length === 1 &&
      TYPE_KEYS.has(Object.keys(v)[0] as string),
  );

/**
 * The size DynamoDB bills an item by (attribute names plus values, per "Item sizes and formats" of
 * the DynamoDB developer guide), from either a plain object or its AttributeValue form.
 */
export function itemSizeBytes(item: Record<string, unknown>): number {
  const attributes = (
    isMarshalled(item)
      ? item
      : marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: true })
  ) as Record<string, AttributeValue>;
  return Object.entries(attributes).reduce((n, [name, value]) => n + utf8(name) + valueSize(value), 0);
}

/** Write units of one item write: 1 per started KB. */
export const writeUnitsOf = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));
