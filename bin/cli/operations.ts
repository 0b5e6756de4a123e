import { randomUUID } from 'node:crypto';
import {
  DescribeArchiveCommand,
  DescribeReplayCommand,
  type PutEventsRequestEntry,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { ProfileClient } from '../../lambda/client/profile-client.ts';
import { ProfileReader } from '../../lambda/read-api/adapters/profile-reader.ts';
import {
  allDeadLetters,
  deadLetterPage,
  deleteDeadLetterIfUnchanged,
  getDeadLetter,
} from '../../lambda/shared/aws/dead-letters.ts';
import { sleep } from '../../lambda/shared/backoff.ts';
import {
  type DeadLetter,
  holdsWholeEvent,
  replayWindowOf,
} from '../../lambda/shared/contract/dead-letter.ts';
import { type FlagSetting, parseFlag } from '../../lambda/shared/contract/flag.ts';

import { LOCAL_AWS } from '../../local/clients.ts';
import type { ListPage } from './command-line.ts';
import { UsageError } from './errors.ts';
import { putEntries } from './publishing.ts';
import type { Target } from './target.ts';

/** A flag value and what it means. */
export interface FlagReport {
  readonly parameterName: string;
  readonly value: string;
  readonly mode: FlagSetting['mode'];
  readonly percentage?: number;
  readonly misconfigured: boolean;
  readonly version?: number | undefined;
}

function flagReport(parameterName: string, value: string, version?: number): FlagReport {
  const setting = parseFlag(value);
  return {
    parameterName,
    value,
    mode: setting.mode,
    ...(setting.mode === 'percentage' ? { percentage: setting.percentage } : {}),
    misconfigured: setting.mode === 'off' && setting.misconfigured,
    version,
  };
}

/** `flag get`. */
export async function getFlag(target: Target): Promise<FlagReport> {
  const { Parameter } = await target.ssm.send(new GetParameterCommand({ Name: target.flagParameterName }));
  return flagReport(target.flagParameterName, Parameter?.Value ?? '', Parameter?.Version);
}

/** A reader of the target's profile tables. */
export function profileReader(target: Target): ProfileReader {
  return new ProfileReader(target.doc, {
    activities: target.tables.activities,
    stats: target.tables.stats,
  });
}

/**
 * A client of the target's read API. It signs with the target's AWS credentials (IAM mode; the
 * local stack accepts any signature); with `token`, it sends that end-user JWT instead.
 */
export async function profileClient(target: Target, token?: string): Promise<ProfileClient> {
  if (token) return new ProfileClient({ baseUrl: target.apiUrl, token });
  if (target.kind === 'local')
    return new ProfileClient({
      baseUrl: target.apiUrl,
      credentials: LOCAL_AWS.credentials,
      region: LOCAL_AWS.region,
    });
  return new ProfileClient({
    baseUrl: target.apiUrl,
    credentials: () => target.ssm.config.credentials(),
    region: await target.ssm.config.region(),
  });
}

/** Every dead letter, oldest first. */
export function listDeadLetters(target: Target): Promise<DeadLetter[]> {
  return allDeadLetters(target.doc, target.tables.deadLetters);
}

/**
 * A page of dead letters, oldest first within the page: up to `limit` (all when omitted), from
 * `cursor` (the `nextCursor` of the previous page).
 */
export async function listDeadLetterPage(
  target: Target,
  options: { limit?: number | undefined; cursor?: string | undefined } = {},
): Promise<ListPage<DeadLetter>> {
  if (options.limit === undefined && options.cursor === undefined)
    return { items: await listDeadLetters(target), nextCursor: null };
  let start: Record<string, unknown> | undefined;
  if (options.cursor !== undefined) {
    try {
      start = JSON.parse(Buffer.from(options.cursor, 'base64url').toString('utf8'));
    } catch {
      start = undefined;
    }
    if (typeof start?.deadLetterId !== 'string')
      throw new UsageError('--cursor is not one printed by `dead-letters list`: start again without it');
  }
  const page = await deadLetterPage(target.doc, target.tables.deadLetters, { limit: options.limit, start });
  const next = page.next;
  return {
    items: page.items,
    nextCursor: next ? Buffer.from(JSON.stringify(next)).toString('base64url') : null,
  };
}

/** The outcome of redriving one dead letter. */
export interface RedriveResult {
  readonly deadLetterId: string;
  readonly status: 'redriven' | 'failed';
  readonly eventId?: string;
  readonly reason?: string;
}

/** The PutEvents entry that sends a dead letter's original event again. */
export function redriveEntry(
  deadLetter: DeadLetter,
  busName: string,
): PutEventsRequestEntry | { error: string } {
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(deadLetter.event) as Record<string, unknown>;
  } catch {
    return { error: 'the stored event is not JSON' };
  }
  if (typeof event?.source !== 'string' || typeof event['detail-type'] !== 'string')
    return { error: 'the stored event has no source or detail-type to publish again' };
  if (!holdsWholeEvent(deadLetter)) {
    const { from, to } = replayWindowOf(deadLetter);
    return {
      error: `the event was too large to keep in a dead letter; it is in the bus archive: replay it with \`tpi replay --from ${from} --to ${to}\``,
    };
  }
  return {
    Source: event.source,
    DetailType: event['detail-type'],
    Detail: JSON.stringify(event.detail),
    EventBusName: busName,
  };
}

/**
 * Publishes each dead letter's original event to the bus again and deletes the dead letter once the
 * bus accepted it. The delete is conditional on the stored time, so a dead letter the resent event
 * produced again (still invalid) is kept rather than deleted.
 */
export async function redrive(target: Target, id?: string): Promise<RedriveResult[]> {
  let letters: DeadLetter[];
  if (id) {
    const letter = await getDeadLetter(target.doc, target.tables.deadLetters, id);
    if (!letter) throw new Error(`no dead letter ${id}: list them with \`tpi dead-letters list\``);
    letters = [letter];
  } else letters = await listDeadLetters(target);

  const results: RedriveResult[] = [];
  for (const letter of letters) {
    const entry = redriveEntry(letter, target.busName);
    if ('error' in entry) {
      results.push({ deadLetterId: letter.deadLetterId, status: 'failed', reason: entry.error });
      continue;
    }
    const [result] = await putEntries(target.eventBridge, [entry]);
    if (!result?.ok) {
      results.push({
        deadLetterId: letter.deadLetterId,
        status: 'failed',
        reason: `the bus refused it: ${result?.errorCode} ${result?.errorMessage}`,
      });
      continue;
    }
    // A dead letter the resent event produced again (still invalid) is kept.
    await deleteDeadLetterIfUnchanged(target.doc, target.tables.deadLetters, letter);
    results.push({ deadLetterId: letter.deadLetterId, status: 'redriven', eventId: result.eventId });
  }
  return results;
}

/** An instant from the command line: ISO-8601, `now`, or an age such as `2h` (ago), `30m`, `7d`. */
export function parseInstant(value: string, option: string, now = new Date()): Date {
  if (value === 'now') return now;
  const relative = /^-?(\d+)([smhd])$/.exec(value);
  if (relative) {
    const unit = { s: 1, m: 60, h: 3600, d: 86400 }[relative[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now.getTime() - Number(relative[1]) * unit * 1000);
  }
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime()))
    throw new UsageError(
      `${option} must be an ISO-8601 time (2026-05-01T12:00:00Z) now, or an age like 2h, got "${value}"`,
    );
  return date;
}

/**
 * A replay name no other `tpi replay` takes: replay names are unique per account and region, and two
 * replays started within one second (a script replaying twice) must not collide.
 */
export function defaultReplayName(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[^0-9]/g, '');
  return `tpi-${stamp}-${randomUUID().slice(0, 8)}`;
}

/** The result of a replay. */
export interface ReplayReport {
  readonly replayName: string;
  readonly state: string;
  readonly reason?: string | undefined;
}

/**
 * Replays the archive's events of [from, to) onto the bus (`StartReplay`; the local stack serves the
 * same API from its archive file), then waits for the replay to finish, at most `waitSeconds`.
 */
export async function replay(
  target: Target,
  from: Date,
  to: Date,
  options: {
    name?: string | undefined;
    waitSeconds?: number;
    /** Told each time the replay's state is read while it runs: a long replay shows it is alive. */
    onState?: (replayName: string, state: string) => void;
  } = {},
): Promise<ReplayReport> {
  const name = options.name ?? defaultReplayName();
  const archive = await target.eventBridge.send(
    new DescribeArchiveCommand({ ArchiveName: target.archiveName }),
  );
  await target.eventBridge.send(
    new StartReplayCommand({
      ReplayName: name,
      EventSourceArn: archive.ArchiveArn,
      EventStartTime: from,
      EventEndTime: to,
      Destination: { Arn: target.busArn },
    }),
  );
  const deadline = Date.now() + (options.waitSeconds ?? 900) * 1000;
  for (;;) {
    const state = await target.eventBridge.send(new DescribeReplayCommand({ ReplayName: name }));
    const done = ['COMPLETED', 'FAILED', 'CANCELLED'].includes(state.State ?? '');
    if (done || Date.now() > deadline)
      return { replayName: name, state: state.State ?? 'UNKNOWN', reason: state.StateReason };
    options.onState?.(name, state.State ?? 'UNKNOWN');
    await sleep(target.kind === 'local' ? 100 : 5000);
  }
}
