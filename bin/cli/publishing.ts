import { StringDecoder } from 'node:string_decoder';
import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { entrySize, MAX_ENTRIES_PER_REQUEST, MAX_REQUEST_ENTRY_BYTES } from '../../infra/local/put-events.ts';

/** Per-entry error codes a resend cannot fix. */
const PERMANENT_ERRORS = new Set([
  'InvalidArgument',
  'MalformedDetail',
  'ResourceNotFoundException',
  'AccessDeniedException',
  'NotAuthorizedForSourceException',
  'NotAuthorizedForDetailTypeException',
  'InvalidRecord',
]);

/** What happened to one entry. */
export type EntryResult =
  | { readonly ok: true; readonly eventId: string }
  | { readonly ok: false; readonly errorCode: string; readonly errorMessage: string };

/** Options of {@link putEntries}. */
export interface PutEntriesOptions {
  /** Sends per entry before a retryable failure is final. @default 5 */
  readonly maxAttempts?: number;
  /** First delay before resending failed entries, doubled each time. @default 100 */
  readonly retryBaseMs?: number;
}

/**
 * Sends up to 10 entries with PutEvents and resends only the entries that failed with a retryable
 * code, with backoff, as AWS advises for partial failures. Results are in entry order.
 */
export async function putEntries(
  client: EventBridgeClient,
  entries: readonly PutEventsRequestEntry[],
  options: PutEntriesOptions = {},
): Promise<EntryResult[]> {
  const results: (EntryResult | undefined)[] = entries.map(() => undefined);
  let pending = entries.map((entry, index) => ({ entry, index }));
  const maxAttempts = options.maxAttempts ?? 5;
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    let answers: EntryResult[];
    let requestRetryable = true;
    try {
      const response = await client.send(new PutEventsCommand({ Entries: pending.map((p) => p.entry) }));
      answers = pending.map((_, i) => {
        const answer = response.Entries?.[i];
        return answer?.EventId
          ? { ok: true, eventId: answer.EventId }
          : {
              ok: false,
              errorCode: answer?.ErrorCode ?? 'MissingResult',
              errorMessage: answer?.ErrorMessage ?? 'no result for this entry',
            };
      });
    } catch (error) {
      const e = error as {
        name?: string;
        message?: string;
        $retryable?: unknown;
        $metadata?: { httpStatusCode?: number };
      };
      const status = e.$metadata?.httpStatusCode;
      // The SDK already retried throttling and 5xx; a 4xx (validation, credentials) will not pass.
      requestRetryable =
        e.$retryable !== undefined || status === undefined || status >= 500 || status === 429;
      answers = pending.map(() => ({
        ok: false,
        errorCode: e.name ?? 'RequestFailed',
        errorMessage: e.message ?? String(error),
      }));
    }
    const retry: typeof pending = [];
    answers.forEach((answer, i) => {
      const item = pending[i] as (typeof pending)[number];
      results[item.index] = answer;
      if (!answer.ok && requestRetryable && !PERMANENT_ERRORS.has(answer.errorCode) && attempt < maxAttempts)
        retry.push(item);
    });
    pending = retry;
    if (pending.length > 0)
      await new Promise((r) =>
        setTimeout(r, Math.min((options.retryBaseMs ?? 100) * 2 ** (attempt - 1), 5000)),
      );
  }
  return results as EntryResult[];
}

/** One record of an input file: its number (line, or element of a JSON array) and its text. */
export interface InputRecord {
  readonly number: number;
  readonly text: string;
}

/**
 * Reads records from a byte stream in constant memory: a JSON array (one record per element) or
 * JSON Lines (one per non-blank line), told apart by the first non-blank character. `onBytes` is
 * told how many bytes were consumed, for progress.
 */
export async function* readRecords(
  input: AsyncIterable<Buffer | string>,
  onBytes: (bytes: number) => void = () => undefined,
): AsyncGenerator<InputRecord> {
  const decoder = new StringDecoder('utf8');
  let mode: 'unknown' | 'lines' | 'array' | 'done' = 'unknown';
  let current = '';
  let number = 0;
  // Array scanning state.
  let depth = 0;
  let inString = false;
  let escaped = false;
  for await (const raw of input) {
    onBytes(typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length);
    let chunk = typeof raw === 'string' ? raw : decoder.write(raw);
    if (mode === 'unknown') {
      const first = /\S/.exec(chunk);
      if (!first) continue;
      if (chunk[first.index] === '[') {
        mode = 'array';
        chunk = chunk.slice(first.index + 1);
        number = 1;
      } else mode = 'lines';
    }
    if (mode === 'lines') {
      let start = 0;
      for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', start)) {
        const line = current + chunk.slice(start, i);
        current = '';
        start = i + 1;
        number += 1;
        if (line.trim() !== '') yield { number, text: line };
      }
      current += chunk.slice(start);
      continue;
    }
    if (mode !== 'array') continue;
    let start = 0;
    for (let i = 0; i < chunk.length; i += 1) {
      const c = chunk[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth += 1;
      else if ((c === '}' || c === ']') && depth > 0) depth -= 1;
      else if ((c === ',' || c === ']') && depth === 0) {
        const text = current + chunk.slice(start, i);
        current = '';
        start = i + 1;
        if (text.trim() !== '') yield { number, text };
        number += 1;
        if (c === ']') {
          mode = 'done';
          break;
        }
      }
    }
    if (mode === 'array') current += chunk.slice(start);
  }
  if (mode === 'lines') {
    const rest = current + decoder.end();
    if (rest.trim() !== '') yield { number: number + 1, text: rest };
  } else if (mode === 'array') throw new Error('the JSON array is not closed: the input ends inside it');
}

/** Turns a record into a PutEvents entry, or says why it cannot be one. */
export function toEntry(
  text: string,
  defaults: { source: string; busName: string },
): PutEventsRequestEntry | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `not valid JSON: ${(error as Error).message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { error: 'not a JSON object' };
  const record = value as Record<string, unknown>;
  const detailText = (detail: unknown) => (typeof detail === 'string' ? detail : JSON.stringify(detail));
  if (typeof record.DetailType === 'string')
    return {
      Source: typeof record.Source === 'string' ? record.Source : defaults.source,
      DetailType: record.DetailType,
      Detail: detailText(record.Detail),
      EventBusName: typeof record.EventBusName === 'string' ? record.EventBusName : defaults.busName,
      ...(Array.isArray(record.Resources) ? { Resources: record.Resources as string[] } : {}),
    };
  const detailType = record.detailType ?? record['detail-type'];
  if (typeof detailType === 'string' && record.detail !== undefined)
    return {
      Source: typeof record.source === 'string' ? record.source : defaults.source,
      DetailType: detailType,
      Detail: detailText(record.detail),
      EventBusName: defaults.busName,
    };
  return {
    error:
      'expected {detailType, detail}, a PutEvents entry {Source, DetailType, Detail} or an EventBridge event',
  };
}

/**
 * Groups entries into PutEvents requests: at most 10 entries and at most the request size limit,
 * measured as EventBridge measures it.
 */
export class RequestBatcher<T extends { entry: PutEventsRequestEntry }> {
  private items: T[] = [];
  private bytes = 0;

  /** Adds an item; returns a full batch to send first when the item does not fit. */
  add(item: T): T[] | undefined {
    const size = entrySize(item.entry as Parameters<typeof entrySize>[0]);
    let full: T[] | undefined;
    if (
      this.items.length >= MAX_ENTRIES_PER_REQUEST ||
      (this.items.length > 0 && this.bytes + size > MAX_REQUEST_ENTRY_BYTES)
    )
      full = this.flush();
    this.items.push(item);
    this.bytes += size;
    return full;
  }

  /** Takes what is batched so far. */
  flush(): T[] {
    const items = this.items;
    this.items = [];
    this.bytes = 0;
    return items;
  }
}
