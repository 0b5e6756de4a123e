import { randomUUID } from 'node:crypto';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ProfileReader } from '../../lambda/read-api/adapters/profile-reader.ts';
import type { ProfileView } from '../../lambda/read-api/constants.ts';
import { sleep } from '../../lambda/shared/backoff.ts';
import { acceptEvent } from '../../lambda/shared/contract/events.ts';
import { type FlagSetting, isUserIncluded, parseFlag } from '../../lambda/shared/contract/flag.ts';

import { asJson, type Command, JSON_OPTION, positiveInt, write } from './command-line.ts';
import { UsageError } from './errors.ts';
import { getFlag, profileReader } from './operations.ts';
import { putEntries } from './publishing.ts';
import type { Target } from './target.ts';

/** One checked step of the smoke test. */
export interface SmokeStep {
  readonly step: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Polls `check` until it returns a value or `timeoutMs` passes (then the last value, or undefined). */
async function until<T>(check: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined || Date.now() > deadline) return value;
    await sleep(250);
  }
}

/** One event of the smoke tournament: its detail type and detail. */
type SmokeEvent = [detailType: string, detail: Record<string, unknown>];

/** What the checks of one smoke run share: the target, the tournament and its two users. */
interface SmokeRun {
  readonly target: Target;
  readonly timeoutMs: number;
  readonly reader: ProfileReader;
  /** The winner and the loser, both inside the flag's percentage. */
  readonly a: string;
  readonly b: string;
  readonly details: readonly SmokeEvent[];
  /** Idempotency keys of `details`, as recording computes them. */
  readonly keys: readonly string[];
  /** One more action, sent after the resends: once it counts, the resends had their chance. */
  readonly marker: SmokeEvent;
}

/** The flag must let recording run; its setting picks the users. */
async function checkFlag(target: Target): Promise<{ step: SmokeStep; setting?: FlagSetting }> {
  const flag = await getFlag(target).catch((error: Error) => error);
  if (flag instanceof Error)
    return { step: { step: 'flag', ok: false, detail: `cannot read the flag: ${flag.message}` } };
  if (flag.mode === 'off')
    return {
      step: {
        step: 'flag',
        ok: false,
        detail: `the flag is off (${flag.value}): turn it on (tpi flag set on or a percentage) to smoke-test recording`,
      },
    };
  return {
    step: { step: 'flag', ok: true, detail: `flag is ${flag.value}` },
    setting: parseFlag(flag.value),
  };
}

/** A small tournament with ids unique to this run, between two users the flag admits. */
function smokeRun(target: Target, setting: FlagSetting, timeoutMs: number): SmokeRun {
  const run = randomUUID().slice(0, 8);
  const pickUser = (role: string) => {
    for (let i = 0; ; i += 1) {
      const id = `smoke-${run}-${role}${i}`;
      if (isUserIncluded(setting, id)) return id;
    }
  };
  const a = pickUser('a');
  const b = pickUser('b');
  const t = `smoke-${run}`;
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute)).toISOString();
  const details: SmokeEvent[] = [
    [
      'RegistrationStatusChanged',
      { tournamentId: t, occurredAt: at(0), registrationId: `${t}-r`, status: 'approved', userIds: [a, b] },
    ],
    [
      'MatchFinalized',
      {
        tournamentId: t,
        occurredAt: at(10),
        matchId: `${t}-m`,
        resolution: 'completed',
        participantUserIds: [a, b],
        winnerUserIds: [a],
      },
    ],
    [
      'TournamentCompleted',
      { tournamentId: t, occurredAt: at(20), participantUserIds: [a, b], winnerUserIds: [a] },
    ],
  ];
  const keys = details.map(
    ([detailType, detail]) =>
      acceptEvent(
        { id: 'smoke', source: target.eventSource, 'detail-type': detailType, detail },
        target.eventSource,
      ).idempotencyKey,
  );
  const marker: SmokeEvent = [
    'CheckInToggled',
    { tournamentId: t, occurredAt: at(5), registrationId: `${t}-r`, checkedIn: true, userIds: [a] },
  ];
  return { target, timeoutMs, reader: profileReader(target), a, b, details, keys, marker };
}

/** Sends events through the target's bus, one PutEvents entry each. */
function send(target: Target, events: readonly SmokeEvent[]) {
  return putEntries(
    target.eventBridge,
    events.map(
      ([detailType, detail]): PutEventsRequestEntry => ({
        Source: target.eventSource,
        DetailType: detailType,
        Detail: JSON.stringify(detail),
        EventBusName: target.busName,
      }),
    ),
  );
}

async function checkPublish(run: SmokeRun): Promise<SmokeStep> {
  const published = await send(run.target, run.details);
  const refused = published.filter((r) => !r.ok);
  return {
    step: 'publish',
    ok: refused.length === 0,
    detail:
      refused.length === 0
        ? `${published.length} events accepted by the bus`
        : `${refused.length} refused: ${JSON.stringify(refused)}`,
  };
}

async function checkActivities({ target, a, b, keys, timeoutMs }: SmokeRun): Promise<SmokeStep> {
  const activitiesPresent = async () => {
    for (const userId of [a, b])
      for (const idempotencyKey of keys) {
        const { Item } = await target.doc.send(
          new GetCommand({
            TableName: target.tables.activities,
            Key: { userId, idempotencyKey },
            ConsistentRead: true,
          }),
        );
        if (!Item) return undefined;
      }
    return true;
  };
  const recorded = await until(activitiesPresent, timeoutMs);
  return {
    step: 'activities',
    ok: recorded === true,
    detail: recorded
      ? `${keys.length * 2} activities recorded`
      : `not all activities appeared within ${timeoutMs / 1000}s`,
  };
}

/** Waits until the user's statistics have the wanted values; `undefined` when they never do. */
function expectStats(run: SmokeRun, want: Partial<ProfileView>, user: string) {
  return until(async () => {
    const stats = await run.reader.stats(user);
    return Object.entries(want).every(([k, v]) => stats[k as keyof ProfileView] === v) ? stats : undefined;
  }, run.timeoutMs);
}

async function checkStatistics(run: SmokeRun): Promise<SmokeStep> {
  const wantA = {
    activityCount: 3,
    matchesWon: 1,
    matchesPlayed: 1,
    tournamentsWon: 1,
    tournamentsPlayed: 1,
  };
  const wantB = {
    activityCount: 3,
    matchesLost: 1,
    matchesPlayed: 1,
    tournamentsWon: 0,
    tournamentsPlayed: 1,
  };
  const statsOk =
    (await expectStats(run, wantA, run.a)) !== undefined &&
    (await expectStats(run, wantB, run.b)) !== undefined;
  return {
    step: 'statistics',
    ok: statsOk,
    detail: statsOk
      ? 'winner and loser statistics are right'
      : `statistics did not reach the expected values within ${run.timeoutMs / 1000}s`,
  };
}

async function checkResend(run: SmokeRun): Promise<SmokeStep> {
  // Resend everything, then one new marker event; once the marker counts, the resends had their chance.
  const again = await send(run.target, [...run.details, run.marker]);
  const markerSeen =
    again.every((r) => r.ok) && (await expectStats(run, { activityCount: 4 }, run.a)) !== undefined;
  const finalA = await run.reader.stats(run.a);
  const finalB = await run.reader.stats(run.b);
  const unchanged =
    markerSeen &&
    finalA.matchesWon === 1 &&
    finalA.tournamentsWon === 1 &&
    finalA.activityCount === 4 &&
    finalB.matchesLost === 1 &&
    finalB.activityCount === 3;
  return {
    step: 'duplicates',
    ok: unchanged,
    detail: unchanged
      ? 'sending the same events again changed nothing'
      : `after resending: ${JSON.stringify({ a: finalA, b: finalB })}`,
  };
}

/**
 * Publishes a small tournament with unique ids through the real bus and checks that activities and
 * statistics appear, and that sending everything again doubles nothing. Users are picked inside the
 * flag's current percentage, so the check works during a rollout too. Stops at the first failed step.
 */
export async function smoke(target: Target, options: { timeoutSeconds?: number } = {}): Promise<SmokeStep[]> {
  const flag = await checkFlag(target);
  const steps: SmokeStep[] = [flag.step];
  if (!flag.setting) return steps;
  const run = smokeRun(target, flag.setting, (options.timeoutSeconds ?? 60) * 1000);
  for (const check of [checkPublish, checkActivities, checkStatistics, checkResend]) {
    const step = await check(run);
    steps.push(step);
    if (!step.ok) break;
  }
  return steps;
}

/** `tpi smoke`: a small tournament through the real bus, recorded once. */
export const smokeCommand: Command = {
  summary: 'publish a small tournament and check it is recorded once',
  usage: 'tpi smoke [--timeout SECONDS] [--json]',
  options: { ...JSON_OPTION, timeout: { type: 'string' } },
  async run(connect, positionals, values, io) {
    if (positionals.length > 0) throw new UsageError('smoke takes no arguments');
    const timeoutSeconds = positiveInt(values.timeout, '--timeout') ?? 60;
    const steps = await smoke(await connect(), { timeoutSeconds });
    const ok = steps.every((s) => s.ok);
    if (values.json) asJson(io, { ok, steps });
    else for (const s of steps) write(io, `${s.ok ? 'pass' : 'FAIL'}  ${s.step.padEnd(11)} ${s.detail}`);
    return ok ? 0 : 1;
  },
};
