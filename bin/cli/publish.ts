import { createReadStream, statSync } from 'node:fs';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { TaskPool } from '../../lambda/domain/concurrency.ts';
import { asJson, type Command, JSON_OPTION, onePositional, positiveInt, write } from './command.ts';
import { type EntryResult, entryBatcher, putEntries, readRecords, toEntry } from './publishing.ts';
import type { Target } from './target.ts';

/** Options of {@link publish}. */
export interface PublishOptions {
  /** A file path, or `-` for standard input. */
  readonly file: string;
  /** Entries per second at most. */
  readonly rate?: number | undefined;
  /** Skip records numbered below this (the line, or the element of a JSON array). */
  readonly resumeFrom?: number | undefined;
  /** PutEvents requests in flight at once. @default 4 */
  readonly concurrency?: number;
  readonly stdin?: NodeJS.ReadableStream;
  readonly stderr?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** What a publish run did. */
export interface PublishReport {
  readonly read: number;
  readonly skipped: number;
  readonly accepted: number;
  readonly failed: number;
  /** Failures by error code. */
  readonly failuresByCode: Record<string, number>;
  /** The first failed records (number, code, message), at most 20. */
  readonly firstFailures: { number: number; errorCode: string; errorMessage: string }[];
  /** The lowest failed record number: resume from here after fixing the cause. */
  readonly lowestFailed?: number;
  readonly seconds: number;
}

const duration = (seconds: number) =>
  seconds >= 3600
    ? `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`
    : seconds >= 60
      ? `${Math.floor(seconds / 60)}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`
      : `${Math.ceil(seconds)}s`;

/**
 * The backfill path: streams records from a file (constant memory), sends them in PutEvents
 * batches with bounded concurrency and an optional rate, resends retryable per-entry failures, and
 * reports progress with an ETA on stderr. Sending a record twice is safe: recording is idempotent.
 */
export async function publish(target: Target, options: PublishOptions): Promise<PublishReport> {
  const stderr = options.stderr ?? process.stderr;
  const fromStdin = options.file === '-';
  const totalBytes = fromStdin ? undefined : statSync(options.file).size;
  const input = fromStdin ? (options.stdin ?? process.stdin) : createReadStream(options.file);
  const started = Date.now();
  let bytes = 0;
  let read = 0;
  let skipped = 0;
  let accepted = 0;
  let failed = 0;
  let sent = 0;
  let lowestFailed: number | undefined;
  const failuresByCode: Record<string, number> = {};
  const firstFailures: PublishReport['firstFailures'] = [];

  const fail = (number: number, errorCode: string, errorMessage: string) => {
    failed += 1;
    failuresByCode[errorCode] = (failuresByCode[errorCode] ?? 0) + 1;
    if (firstFailures.length < 20) firstFailures.push({ number, errorCode, errorMessage });
    lowestFailed = lowestFailed === undefined ? number : Math.min(lowestFailed, number);
  };

  let lastProgress = started;
  const progress = (final = false) => {
    const now = Date.now();
    const interval = stderr.isTTY ? 250 : 5000;
    if (!final && now - lastProgress < interval) return;
    lastProgress = now;
    const elapsed = Math.max((now - started) / 1000, 0.001);
    const rate = (accepted + failed) / elapsed;
    let eta = '';
    if (totalBytes !== undefined && totalBytes > 0) {
      const share = Math.min(bytes / totalBytes, 1);
      const remaining = share > 0 ? (elapsed / share) * (1 - share) : undefined;
      eta = ` · ${Math.floor(share * 100)}% · ETA ${remaining === undefined ? '?' : duration(remaining)}`;
    }
    const line = `published ${accepted} · failed ${failed} · ${rate.toFixed(0)}/s${eta}`;
    stderr.write(stderr.isTTY ? `\r${line}\x1b[K${final ? '\n' : ''}` : `${line}\n`);
  };

  type Item = { entry: PutEventsRequestEntry; number: number };
  // Backpressure: reading waits while enough requests are in flight, so memory stays flat.
  const pool = new TaskPool(options.concurrency ?? 4);
  const send = async (batch: Item[]) => {
    if (options.rate) {
      // Hold the batch until the rate allows its entries.
      const due = started + ((sent + batch.length) / options.rate) * 1000;
      sent += batch.length;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const results: EntryResult[] = await putEntries(
      target.eventBridge,
      batch.map((b) => b.entry),
    );
    results.forEach((result, i) => {
      if (result.ok) accepted += 1;
      else fail((batch[i] as Item).number, result.errorCode, result.errorMessage);
    });
    progress();
  };
  const dispatch = async (batch: Item[]) => {
    if (batch.length > 0) await pool.submit(() => send(batch));
  };

  const batcher = entryBatcher<Item>();
  const defaults = { source: target.eventSource, busName: target.busName };
  for await (const record of readRecords(input as AsyncIterable<Buffer>, (n) => {
    bytes += n;
  })) {
    read += 1;
    if (options.resumeFrom !== undefined && record.number < options.resumeFrom) {
      skipped += 1;
      continue;
    }
    const entry = toEntry(record.text, defaults);
    if ('error' in entry) {
      fail(record.number, 'InvalidRecord', entry.error);
      continue;
    }
    const full = batcher.add({ entry, number: record.number });
    if (full) await dispatch(full);
  }
  await dispatch(batcher.flush());
  await pool.drain();
  progress(true);
  return {
    read,
    skipped,
    accepted,
    failed,
    failuresByCode,
    firstFailures,
    ...(lowestFailed !== undefined ? { lowestFailed } : {}),
    seconds: (Date.now() - started) / 1000,
  };
}

/** `tpi publish FILE|-`: the backfill. */
export const publishCommand: Command = {
  summary: 'publish events from a file (backfill)',
  usage: `tpi publish FILE|- [--rate N] [--resume-from N] [--json]

Reads a JSON array or JSON Lines: each record is {detailType, detail}, a PutEvents entry
{Source, DetailType, Detail} or an EventBridge event. Streams any size in constant memory, resends
retryable per-entry failures, prints progress with an ETA on stderr and a failure summary.
--rate N          at most N events per second
--resume-from N   skip records before number N (line number, or array element from 1)`,
  options: { ...JSON_OPTION, rate: { type: 'string' }, 'resume-from': { type: 'string' } },
  async run(connect, positionals, values, io) {
    const file = onePositional(positionals, 'FILE (or - for standard input)');
    const rate = positiveInt(values.rate, '--rate');
    const resumeFrom = positiveInt(values['resume-from'], '--resume-from');
    const report = await publish(await connect(), {
      file,
      rate,
      resumeFrom,
      stdin: io.stdin,
      stderr: io.stderr,
    });
    if (values.json) asJson(io, report);
    else {
      write(
        io,
        `${report.accepted} accepted, ${report.failed} failed, ${report.skipped} skipped in ${report.seconds.toFixed(1)}s`,
      );
      for (const [code, count] of Object.entries(report.failuresByCode)) write(io, `  ${code}: ${count}`);
      for (const f of report.firstFailures)
        write(io, `  record ${f.number}: ${f.errorCode} ${f.errorMessage}`);
      if (report.lowestFailed !== undefined)
        write(io, `fix the cause, then resend with --resume-from ${report.lowestFailed} (resending is safe)`);
    }
    return report.failed > 0 ? 1 : 0;
  },
};
