import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { sleep } from '../../lambda/shared/backoff.ts';
import { TaskPool } from '../../lambda/shared/concurrency.ts';
import {
  asJson,
  type Command,
  type Io,
  JSON_OPTION,
  onePositional,
  positiveInt,
  write,
} from './command-line.ts';
import { progressPrinter } from './progress.ts';
import { contractProblems, type InvalidRecord } from './publish-check.ts';
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
  /**
   * Check every record against the contract before sending any, and send nothing when one fails.
   * @default true
   */
  readonly validate?: boolean;
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
  /** Records the contract refuses (the check before sending; 0 with `validate: false`). */
  readonly invalid: number;
  /** The first refused records with their reasons, at most 20. */
  readonly firstInvalid: readonly InvalidRecord[];
  /** What record numbers count: lines of JSON Lines, or elements (from 1) of a JSON array. */
  readonly numbering: 'line' | 'element';
  /** True when the check refused records and nothing was sent. */
  readonly refused: boolean;
  readonly seconds: number;
}

/** The counts of a run as it goes; `fail` keeps the failure summary bounded whatever the input. */
interface Tally {
  read: number;
  skipped: number;
  accepted: number;
  failed: number;
  /** Bytes of the input read so far (for the ETA). */
  bytes: number;
  numbering: PublishReport['numbering'];
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
    numbering: 'line',
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

type Item = { entry: PutEventsRequestEntry; number: number };

/**
 * Sends batches through a bounded pool, held back to `rate` entries per second when set, and counts
 * each entry's outcome. Backpressure: `dispatch` waits while enough requests are in flight, so the
 * reader waits too and memory stays flat.
 */
function batchSender(target: Target, options: PublishOptions, tally: Tally, progress: () => void) {
  const started = Date.now();
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

/** The input as a stream, with its size when it is a file (for the ETA). */
function openInput(file: string, stdin: NodeJS.ReadableStream | undefined) {
  if (file === '-') return { input: stdin ?? process.stdin, totalBytes: undefined };
  return { input: createReadStream(file), totalBytes: statSync(file).size };
}

/**
 * Standard input copied to a temporary file, so that the check and the send can each read it:
 * memory stays flat whatever its size.
 */
async function spooled(stdin: NodeJS.ReadableStream): Promise<{ file: string; remove: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'tpi-publish-'));
  const file = join(dir, 'stdin');
  await pipeline(stdin, createWriteStream(file));
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Streams the records from the input and sends them; the send half of {@link publish}. */
async function sendRecords(target: Target, options: PublishOptions): Promise<PublishReport> {
  const { input, totalBytes } = openInput(options.file, options.stdin);
  const started = Date.now();
  const tally = newTally();
  const progress = progressPrinter(options.stderr ?? process.stderr, totalBytes, () => ({
    text: `published ${tally.accepted} · failed ${tally.failed}`,
    count: tally.accepted + tally.failed,
    bytes: tally.bytes,
  }));
  const sender = batchSender(target, options, tally, progress);
  const batcher = entryBatcher<Item>();
  const defaults = { source: target.eventSource, busName: target.busName };
  for await (const record of readRecords(input as AsyncIterable<Buffer>, (n) => {
    tally.bytes += n;
  })) {
    tally.read += 1;
    tally.numbering = record.kind;
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
  const { read, skipped, accepted, failed, failuresByCode, firstFailures, lowestFailed, numbering } = tally;
  return {
    read,
    skipped,
    accepted,
    failed,
    failuresByCode,
    firstFailures,
    ...(lowestFailed !== undefined ? { lowestFailed } : {}),
    invalid: 0,
    firstInvalid: [],
    numbering,
    refused: false,
    seconds: (Date.now() - started) / 1000,
  };
}

/**
 * Reads every record once and judges it as the stack would: the bus it names, then the recording
 * function's own validation. Nothing is sent.
 */
async function checkRecords(target: Target, options: PublishOptions): Promise<RecordCheck> {
  const { input, totalBytes } = openInput(options.file, options.stdin);
  const expected = { source: target.eventSource, busName: target.busName, busArn: target.busArn };
  const defaults = { source: target.eventSource, busName: target.busName };
  const check: RecordCheck = { read: 0, skipped: 0, invalid: 0, firstInvalid: [], numbering: 'line' };
  let bytes = 0;
  const progress = progressPrinter(options.stderr ?? process.stderr, totalBytes, () => ({
    text: `checked ${check.read - check.skipped} · invalid ${check.invalid}`,
    count: check.read - check.skipped,
    bytes,
  }));
  for await (const record of readRecords(input as AsyncIterable<Buffer>, (n) => {
    bytes += n;
  })) {
    check.read += 1;
    check.numbering = record.kind;
    if (options.resumeFrom !== undefined && record.number < options.resumeFrom) {
      check.skipped += 1;
      continue;
    }
    const entry = toEntry(record.text, defaults);
    const reasons = 'error' in entry ? [entry.error] : contractProblems(entry, expected);
    if (reasons.length > 0) {
      check.invalid += 1;
      if (check.firstInvalid.length < 20) check.firstInvalid.push({ number: record.number, reasons });
    }
    progress();
  }
  if (totalBytes !== undefined && totalBytes > 1_000_000) progress(true);
  return check;
}

/** What the check before sending found. */
interface RecordCheck {
  read: number;
  skipped: number;
  invalid: number;
  readonly firstInvalid: InvalidRecord[];
  numbering: PublishReport['numbering'];
}

/**
 * The backfill path: checks every record against the contract first and sends nothing when one
 * fails (unless `validate: false`), then streams the records (constant memory) in PutEvents batches
 * with bounded concurrency and an optional rate, resends retryable per-entry failures, and reports
 * progress with an ETA on stderr. Sending a record twice is safe: recording is idempotent.
 */
export async function publish(target: Target, options: PublishOptions): Promise<PublishReport> {
  const validate = options.validate !== false;
  const spool = validate && options.file === '-' ? await spooled(options.stdin ?? process.stdin) : undefined;
  try {
    const input = spool ? { ...options, file: spool.file } : options;
    if (validate) {
      const started = Date.now();
      const check = await checkRecords(target, input);
      if (check.invalid > 0)
        return {
          ...check,
          accepted: 0,
          failed: 0,
          failuresByCode: {},
          firstFailures: [],
          refused: true,
          seconds: (Date.now() - started) / 1000,
        };
    }
    return await sendRecords(target, input);
  } finally {
    spool?.remove();
  }
}

/** The human summary of a run: the refused records, or what was sent and what failed. */
function printReport(io: Io, report: PublishReport): void {
  const at = (n: number) => `${report.numbering} ${n}`;
  if (report.refused) {
    const checked = report.read - report.skipped;
    write(io, `refused: ${report.invalid} of ${checked} records break the contract; nothing was sent`);
    for (const r of report.firstInvalid) write(io, `  ${at(r.number)}: ${r.reasons.join('; ')}`);
    if (report.invalid > report.firstInvalid.length)
      write(io, `  … and ${report.invalid - report.firstInvalid.length} more`);
    write(io, 'fix or remove them and run again, or send the file as it is with --no-validate');
    return;
  }
  write(
    io,
    `${report.accepted} accepted, ${report.failed} failed, ${report.skipped} skipped in ${report.seconds.toFixed(1)}s`,
  );
  for (const [code, count] of Object.entries(report.failuresByCode)) write(io, `  ${code}: ${count}`);
  for (const f of report.firstFailures) write(io, `  ${at(f.number)}: ${f.errorCode} ${f.errorMessage}`);
  if (report.lowestFailed !== undefined)
    write(io, `fix the cause, then resend with --resume-from ${report.lowestFailed} (resending is safe)`);
}

/** `tpi publish FILE|-`: the backfill. */
export const publishCommand: Command = {
  summary: 'publish events from a file (backfill), each checked against the contract first',
  usage: `tpi publish FILE|- [--rate N] [--resume-from N] [--no-validate] [--json]

Reads a JSON array or JSON Lines: each record is {detailType, detail}, a PutEvents entry
{Source, DetailType, Detail} or an EventBridge event. First checks every record as the stack
would (its bus, then the recording function's own validation of source, detail-type and detail)
and sends nothing if one fails, naming each failing line (or array element) and why; exit 1.
Then streams any size in constant memory, resends retryable per-entry failures, prints progress
with an ETA on stderr and a failure summary.
--rate N          at most N events per second
--resume-from N   skip records before number N (line number, or array element from 1)
--no-validate     send every record as it is, without the check (what the stack refuses then
                  becomes a dead letter, or is dropped when no rule matches it)`,
  options: {
    ...JSON_OPTION,
    rate: { type: 'string' },
    'resume-from': { type: 'string' },
    'no-validate': { type: 'boolean' },
  },
  async run(connect, positionals, values, io) {
    const file = onePositional(positionals, 'FILE (or - for standard input)');
    const rate = positiveInt(values.rate, '--rate');
    const resumeFrom = positiveInt(values['resume-from'], '--resume-from');
    const report = await publish(await connect(), {
      file,
      rate,
      resumeFrom,
      validate: values['no-validate'] !== true,
      stdin: io.stdin,
      stderr: io.stderr,
    });
    if (values.json) asJson(io, report);
    else printReport(io, report);
    return report.refused || report.failed > 0 ? 1 : 0;
  },
};
