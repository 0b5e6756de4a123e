import { createReadStream, statSync } from 'node:fs';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { sleep } from '../../lambda/shared/backoff.ts';
import { TaskPool } from '../../lambda/shared/concurrency.ts';
import { asJson, type Command, JSON_OPTION, onePositional, positiveInt, write } from './command-line.ts';
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

/** The counts of a run as it goes; `fail` keeps the failure summary bounded whatever the input. */
interface Tally {
  read: number;
  skipped: number;
  accepted: number;
  failed: number;
  /** Bytes of the input read so far (for the ETA). */
  bytes: number;
  lowestFailed?: number;
  readonly failuresByCode: Record<string, number>;
  readonly firstFailures: PublishReport['firstFailures'];
  fail(number: number, errorCode: string, errorMessage: string): void;
}

function newTally(): Tally {
  const tally: Tally = {
    read: 0,
    skipped: 0,
    accepted: 0,
    failed: 0,
    bytes: 0,
    failuresByCode: {},
    firstFailures: [],
    fail(number, errorCode, errorMessage) {
      tally.failed += 1;
      tally.failuresByCode[errorCode] = (tally.failuresByCode[errorCode] ?? 0) + 1;
      if (tally.firstFailures.length < 20) tally.firstFailures.push({ number, errorCode, errorMessage });
      tally.lowestFailed = tally.lowestFailed === undefined ? number : Math.min(tally.lowestFailed, number);
    },
  };
  return tally;
}

/**
 * Prints progress at most every 250 ms on a terminal (rewriting one line) and every 5 s otherwise
 * (one line each, for logs); `final` prints regardless. The ETA needs the input's size, so standard
 * input gets none.
 */
function progressPrinter(
  stderr: NonNullable<PublishOptions['stderr']>,
  tally: Tally,
  started: number,
  totalBytes: number | undefined,
): (final?: boolean) => void {
  let lastProgress = started;
  return (final = false) => {
    const now = Date.now();
    const interval = stderr.isTTY ? 250 : 5000;
    if (!final && now - lastProgress < interval) return;
    lastProgress = now;
    const elapsed = Math.max((now - started) / 1000, 0.001);
    const rate = (tally.accepted + tally.failed) / elapsed;
    let eta = '';
    if (totalBytes !== undefined && totalBytes > 0) {
      const share = Math.min(tally.bytes / totalBytes, 1);
      const remaining = share > 0 ? (elapsed / share) * (1 - share) : undefined;
      eta = ` · ${Math.floor(share * 100)}% · ETA ${remaining === undefined ? '?' : duration(remaining)}`;
    }
    const line = `published ${tally.accepted} · failed ${tally.failed} · ${rate.toFixed(0)}/s${eta}`;
    stderr.write(stderr.isTTY ? `\r${line}\x1b[K${final ? '\n' : ''}` : `${line}\n`);
  };
}

type Item = { entry: PutEventsRequestEntry; number: number };

/**
 * Sends batches through a bounded pool, held back to `rate` entries per second when set, and counts
 * each entry's outcome. Backpressure: `dispatch` waits while enough requests are in flight, so the
 * reader waits too and memory stays flat.
 */
function batchSender(
  target: Target,
  options: PublishOptions,
  tally: Tally,
  progress: () => void,
  started: number,
) {
  const pool = new TaskPool(options.concurrency ?? 4);
  let sent = 0;
  const send = async (batch: Item[]) => {
    if (options.rate) {
      // Hold the batch until the rate allows its entries.
      const due = started + ((sent + batch.length) / options.rate) * 1000;
      sent += batch.length;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
    }
    const results: EntryResult[] = await putEntries(
      target.eventBridge,
      batch.map((b) => b.entry),
    );
    results.forEach((result, i) => {
      if (result.ok) tally.accepted += 1;
      else tally.fail((batch[i] as Item).number, result.errorCode, result.errorMessage);
    });
    progress();
  };
  return {
    dispatch: async (batch: Item[]) => {
      if (batch.length > 0) await pool.submit(() => send(batch));
    },
    drain: () => pool.drain(),
  };
}

/**
 * The backfill path: streams records from a file (constant memory), sends them in PutEvents
 * batches with bounded concurrency and an optional rate, resends retryable per-entry failures, and
 * reports progress with an ETA on stderr. Sending a record twice is safe: recording is idempotent.
 */
export async function publish(target: Target, options: PublishOptions): Promise<PublishReport> {
  const fromStdin = options.file === '-';
  const totalBytes = fromStdin ? undefined : statSync(options.file).size;
  const input = fromStdin ? (options.stdin ?? process.stdin) : createReadStream(options.file);
  const started = Date.now();
  const tally = newTally();
  const progress = progressPrinter(options.stderr ?? process.stderr, tally, started, totalBytes);
  const sender = batchSender(target, options, tally, progress, started);
  const batcher = entryBatcher<Item>();
  const defaults = { source: target.eventSource, busName: target.busName };
  for await (const record of readRecords(input as AsyncIterable<Buffer>, (n) => {
    tally.bytes += n;
  })) {
    tally.read += 1;
    if (options.resumeFrom !== undefined && record.number < options.resumeFrom) {
      tally.skipped += 1;
      continue;
    }
    const entry = toEntry(record.text, defaults);
    if ('error' in entry) {
      tally.fail(record.number, 'InvalidRecord', entry.error);
      continue;
    }
    const full = batcher.add({ entry, number: record.number });
    if (full) await sender.dispatch(full);
  }
  await sender.dispatch(batcher.flush());
  await sender.drain();
  progress(true);
  const { read, skipped, accepted, failed, failuresByCode, firstFailures, lowestFailed } = tally;
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
