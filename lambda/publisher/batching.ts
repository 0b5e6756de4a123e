import { MAX_ENTRIES_PER_REQUEST, MAX_REQUEST_BYTES } from '../shared/contract/limits.ts';
/** The parts of a PutEvents entry that count towards its size. */
export interface SizedEntry {
  readonly Source?: string | undefined;
  readonly DetailType?: string | undefined;
  readonly Detail?: string | undefined;
  readonly Resources?: readonly string[] | undefined;
  readonly Time?: Date | number | string | undefined;
}

const utf8 = (value: string | undefined): number => (value ? Buffer.byteLength(value, 'utf8') : 0);

/**
 * An entry's size as EventBridge documents it ("Calculating PutEvents event entry size"): 14 bytes
 * for Time when given, then Source, DetailType, Detail and each of Resources as UTF-8 bytes.
 */
export function entrySize(entry: SizedEntry): number {
  return (
    (entry.Time !== undefined ? 14 : 0) +
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
 * Groups items, as they come, into PutEvents requests within the limits (greedy: a request is
 * closed when the next item would not fit). An item larger than `maxBytes` on its own gets a
 * request of its own so EventBridge reports it as that item's failure. Streaming callers add items
 * one by one; {@link planRequests} does the same for a whole list.
 */
export class RequestBatcher<T> {
  #items: T[] = [];
  #bytes = 0;
  readonly #sizeOf: (item: T) => number;
  readonly #maxEntries: number;
  readonly #maxBytes: number;

  constructor(
    sizeOf: (item: T) => number,
    { maxEntries = MAX_ENTRIES_PER_REQUEST, maxBytes = MAX_REQUEST_BYTES }: RequestLimits = {},
  ) {
    this.#sizeOf = sizeOf;
    this.#maxEntries = maxEntries;
    this.#maxBytes = maxBytes;
  }

  /** Adds an item; returns the full request to send first when the item does not fit in it. */
  add(item: T): T[] | undefined {
    const size = this.#sizeOf(item);
    const full =
      this.#items.length > 0 &&
      (this.#items.length >= this.#maxEntries || this.#bytes + size > this.#maxBytes)
        ? this.flush()
        : undefined;
    this.#items.push(item);
    this.#bytes += size;
    return full;
  }

  /** Takes the request gathered so far (empty when there is none). */
  flush(): T[] {
    const items = this.#items;
    this.#items = [];
    this.#bytes = 0;
    return items;
  }
}

/** Splits entries, in order, into as few PutEvents requests as the limits allow ({@link RequestBatcher}). */
export function planRequests<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  limits: RequestLimits = {},
): T[][] {
  const batcher = new RequestBatcher(sizeOf, limits);
  const requests: T[][] = [];
  for (const item of items) {
    const full = batcher.add(item);
    if (full) requests.push(full);
  }
  const last = batcher.flush();
  if (last.length > 0) requests.push(last);
  return requests;
}
