import { StringDecoder } from 'node:string_decoder';
import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { entrySize, RequestBatcher } from '../../lambda/publisher/batching.ts';
import { sendEntries } from '../../lambda/publisher/send.ts';

/** What happened to one entry. */
export type EntryResult =
  | { readonly ok: true; readonly eventId: string }
  | { readonly ok: false; readonly errorCode: string; readonly errorMessage: string };

/** Options of {@link putEntries}. */
export interface PutEntriesOptions {
  /** Sends per entry before a retryable failure is final. @default 5 */
  readonly maxAttempts?: number;
  /** Window of the first resend's delay (full jitter), doubled each time. @default 100 */
  readonly retryBaseMs?: number;
}

/**
 * Sends entries with PutEvents (split into requests within the limits) and resends only the
 * entries that failed on something transient, with backoff, as AWS advises for partial failures:
 * the publisher's own sending, so the CLI resends exactly what the publisher resends. Results are
 * in entry order.
 */
export async function putEntries(
  client: EventBridgeClient,
  entries: readonly PutEventsRequestEntry[],
  options: PutEntriesOptions = {},
): Promise<EntryResult[]> {
  const { outcomes } = await sendEntries(entries, {
    client,
    maxAttempts: options.maxAttempts ?? 5,
    backoff: { baseDelayMs: options.retryBaseMs ?? 100, maxDelayMs: 5_000 },
    concurrency: 1,
  });
  return outcomes.map((outcome) =>
    outcome.ok
      ? { ok: true, eventId: outcome.eventId }
      : { ok: false, errorCode: outcome.errorCode, errorMessage: outcome.errorMessage },
  );
}

/** One record of an input file: its number (line, or element of a JSON array) and its text. */
export interface InputRecord {
  readonly number: number;
  readonly text: string;
  /** What `number` counts: lines of JSON Lines, or elements (from 1) of a JSON array. */
  readonly kind: 'line' | 'element';
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
        if (line.trim() !== '') yield { number, text: line, kind: 'line' };
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
        if (text.trim() !== '') yield { number, text, kind: 'element' };
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
    if (rest.trim() !== '') yield { number: number + 1, text: rest, kind: 'line' };
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

/** Groups items carrying PutEvents entries into requests within the limits, as the publisher does. */
export const entryBatcher = <T extends { entry: PutEventsRequestEntry }>() =>
  new RequestBatcher<T>((item) => entrySize(item.entry));
