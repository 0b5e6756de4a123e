/** Most entries one PutEvents request may carry. */
export const MAX_ENTRIES_PER_REQUEST = 10;

/**
 * Largest entry, and largest sum of entries in one request, in bytes as EventBridge counts them.
 * The entry limit was 256 KB until January 2026 and is 1 MB since; keeping the whole request under
 * it too means no request is refused for its total size.
 */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** The parts of a PutEvents entry that count towards its size. */
export interface SizedEntry {
  readonly Source?: string | undefined;
  readonly DetailType?: string | undefined;
  readonly Detail?: string | undefined;
  readonly Resources?: readonly string[] | undefined;
  readonly Time?: Date | undefined;
}

const utf8 = (value: string | undefined): number => (value ? Buffer.byteLength(value, 'utf8') : 0);

/** An entry's size as EventBridge documents it: 14 bytes for Time, then Source, DetailType, Detail, Resources as UTF-8. */
export function entrySize(entry: SizedEntry): number {
  return (
    (entry.Time ? 14 : 0) +
    utf8(entry.Source) +
    utf8(entry.DetailType) +
    utf8(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, resource) => sum + utf8(resource), 0)
  );
}

/** Limits of {@link planRequests}; the defaults are EventBridge's. */
export interface RequestLimits {
  readonly maxEntries?: number;
  readonly maxBytes?: number;
}

/**
 * Splits entries, in order, into as few PutEvents requests as the limits allow (greedy: a request
 * is closed when the next entry would not fit). An entry larger than `maxBytes` on its own gets a
 * request of its own so EventBridge reports it as that entry's failure.
 */
export function planRequests<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  { maxEntries = MAX_ENTRIES_PER_REQUEST, maxBytes = MAX_REQUEST_BYTES }: RequestLimits = {},
): T[][] {
  const requests: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length >= maxEntries || bytes + size > maxBytes)) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}
