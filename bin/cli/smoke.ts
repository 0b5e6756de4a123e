import { randomUUID } from 'node:crypto';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { UsageError } from '../../lambda/domain/errors.ts';
import { acceptEvent } from '../../lambda/domain/events.ts';
import { isUserIncluded, parseFlag } from '../../lambda/domain/flag.ts';
import type { ProfileView } from '../../lambda/domain/profile-api.ts';
import { asJson, type Command, JSON_OPTION, positiveInt, write } from './command.ts';
import { getFlag, profileReader } from './commands.ts';
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
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Publishes a small tournament with unique ids through the real bus and checks that activities and
 * statistics appear, and that sending everything again doubles nothing. Users are picked inside the
 * flag's current percentage, so the check works during a rollout too.
 */
export async function smoke(target: Target, options: { timeoutSeconds?: number } = {}): Promise<SmokeStep[]> {
  const timeoutMs = (options.timeoutSeconds ?? 60) * 1000;
  const steps: SmokeStep[] = [];
  const flag = await getFlag(target).catch((error: Error) => error);
  if (flag instanceof Error || flag.mode === 'off') {
    steps.push({
      step: 'flag',
      ok: false,
      detail:
        flag instanceof Error
          ? `cannot read the flag: ${flag.message}`
          : `the flag is off (${flag.value}): turn it on (tpi flag set on or a percentage) to smoke-test recording`,
    });
    return steps;
  }
  steps.push({ step: 'flag', ok: true, detail: `flag is ${flag.value}` });

  const setting = parseFlag(flag.value);
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
  const details: [string, Record<string, unknown>][] = [
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
  const entry = ([detailType, detail]: [string, Record<string, unknown>]): PutEventsRequestEntry => ({
    Source: target.eventSource,
    DetailType: detailType,
    Detail: JSON.stringify(detail),
    EventBusName: target.busName,
  });
  const keys = details.map(
    ([detailType, detail]) =>
      acceptEvent(
        { id: 'smoke', source: target.eventSource, 'detail-type': detailType, detail },
        target.eventSource,
      ).idempotencyKey,
  );

  const published = await putEntries(target.eventBridge, details.map(entry));
  const refused = published.filter((r) => !r.ok);
  steps.push({
    step: 'publish',
    ok: refused.length === 0,
    detail:
      refused.length === 0
        ? `${published.length} events accepted by the bus`
        : `${refused.length} refused: ${JSON.stringify(refused)}`,
  });
  if (refused.length > 0) return steps;

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
  steps.push({
    step: 'activities',
    ok: recorded === true,
    detail: recorded
      ? `${keys.length * 2} activities recorded`
      : `not all activities appeared within ${timeoutMs / 1000}s`,
  });
  if (!recorded) return steps;

  const reader = profileReader(target);
  const expectStats = async (want: Partial<ProfileView>, user: string) =>
    until(async () => {
      const stats = await reader.stats(user);
      return Object.entries(want).every(([k, v]) => stats[k as keyof ProfileView] === v) ? stats : undefined;
    }, timeoutMs);
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
  const statsOk = (await expectStats(wantA, a)) !== undefined && (await expectStats(wantB, b)) !== undefined;
  steps.push({
    step: 'statistics',
    ok: statsOk,
    detail: statsOk
      ? 'winner and loser statistics are right'
      : `statistics did not reach the expected values within ${timeoutMs / 1000}s`,
  });
  if (!statsOk) return steps;

  // Resend everything, then one new marker event; once the marker counts, the resends had their chance.
  const marker: [string, Record<string, unknown>] = [
    'CheckInToggled',
    { tournamentId: t, occurredAt: at(5), registrationId: `${t}-r`, checkedIn: true, userIds: [a] },
  ];
  const again = await putEntries(target.eventBridge, [...details, marker].map(entry));
  const markerSeen = again.every((r) => r.ok) && (await expectStats({ activityCount: 4 }, a)) !== undefined;
  const finalA = await reader.stats(a);
  const finalB = await reader.stats(b);
  const unchanged =
    markerSeen &&
    finalA.matchesWon === 1 &&
    finalA.tournamentsWon === 1 &&
    finalA.activityCount === 4 &&
    finalB.matchesLost === 1 &&
    finalB.activityCount === 3;
  steps.push({
    step: 'duplicates',
    ok: unchanged,
    detail: unchanged
      ? 'sending the same events again changed nothing'
      : `after resending: ${JSON.stringify({ a: finalA, b: finalB })}`,
  });
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
