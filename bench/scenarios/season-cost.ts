import { createStreamAudit } from '../../lambda/audit/stream-handler.ts';
import { activityFor } from '../../lambda/recording/domain/activities.ts';
import { forEachLimit } from '../../lambda/shared/concurrency.ts';
import type { Activity } from '../../lambda/shared/contract/activity.ts';
import { acceptEvent, type BridgeEvent } from '../../lambda/shared/contract/events.ts';
import { DynamoProjectionStore } from '../../lambda/statistics/adapters/stats-store.ts';
import { createStatsHandler } from '../../lambda/statistics/handler.ts';
import { bridgeEvent } from '../../local/bridge-event.ts';
import { type CapacityMeter, type CapacityTotals, meterCapacity } from '../lib/capacity.ts';
import type { SeasonUsage } from '../lib/cost.ts';
import { progress } from '../lib/progress.ts';
import { BENCH_GAMES } from '../lib/workload.ts';
import { lambdaContext, type OurRecorder, ourRecorder, powertoolsRecorder } from './recording.ts';
import { streamRecord } from './statistics.ts';

/** Players per tournament of the season. */
export const PLAYERS = 32;
/** Every n-th delivery is sent twice (publisher retry, replay). */
export const DUPLICATE_EVERY = 10;
/** Every n-th match is disputed, resolved, and finalized again. */
const DISPUTE_EVERY = 10;

/** The game tournament `t` is played in: every event of the season carries one. */
export const gameOfTournament = (t: number): string => BENCH_GAMES[t % BENCH_GAMES.length] as string;

/**
 * One single-elimination tournament as the platform publishes it, every event naming its game: registrations, payments and
 * check-ins per player, two result reports and a finalization per match, a dispute every tenth
 * match (opened, resolved, finalized again), and the completion naming every player.
 */
export function tournamentEvents(t: number, start: number): BridgeEvent[] {
  const players = Array.from({ length: PLAYERS }, (_, i) => String(100_000 + t * 1000 + i));
  const at = (minute: number) => new Date(start + minute * 60_000).toISOString();
  const out: [string, Record<string, unknown>][] = [];
  const tournamentId = `t${t}`;
  players.forEach((u, i) => {
    out.push([
      'RegistrationStatusChanged',
      { registrationId: `r${t}-${i}`, status: 'approved', userIds: [u] },
    ]);
    out.push([
      'PaymentStatusChanged',
      { paymentId: `p${t}-${i}`, registrationId: `r${t}-${i}`, status: 'verified', userIds: [u] },
    ]);
    out.push(['CheckInToggled', { registrationId: `r${t}-${i}`, checkedIn: true, userIds: [u] }]);
  });
  let round = players;
  let match = 0;
  while (round.length > 1) {
    const next: string[] = [];
    for (let i = 0; i + 1 < round.length; i += 2) {
      match += 1;
      const pair = [round[i] as string, round[i + 1] as string];
      const [winner] = pair;
      const matchId = `m${t}-${match}`;
      for (const side of pair)
        out.push(['MatchResultSubmitted', { matchId, submittedByUserId: side, participantUserIds: pair }]);
      out.push([
        'MatchFinalized',
        { matchId, resolution: 'completed', participantUserIds: pair, winnerUserIds: [winner] },
      ]);
      if (match % DISPUTE_EVERY === 0) {
        const disputeId = `d${t}-${match}`;
        out.push([
          'DisputeOpened',
          { disputeId, matchId, openedByUserId: pair[1], participantUserIds: pair },
        ]);
        out.push([
          'DisputeResolved',
          { disputeId, matchId, resolution: 'rejected', participantUserIds: pair },
        ]);
        out.push([
          'MatchFinalized',
          { matchId, resolution: 'dispute_resolved', participantUserIds: pair, winnerUserIds: [winner] },
        ]);
      }
      next.push(winner as string);
    }
    round = next;
  }
  out.push(['TournamentCompleted', { participantUserIds: players, winnerUserIds: round }]);
  const gameId = gameOfTournament(t);
  return out.map(([detailType, fields], i) =>
    bridgeEvent(
      detailType,
      { tournamentId, gameId, occurredAt: at(i), ...fields },
      { id: `season-${t}-${i}` },
    ),
  );
}

/** The events delivered: each once, every {@link DUPLICATE_EVERY}-th twice (with a new event id). */
export function deliveriesOf(events: readonly BridgeEvent[]): BridgeEvent[] {
  return events.flatMap((e, i) => (i % DUPLICATE_EVERY === 0 ? [e, { ...e, id: `${e.id}-again` }] : [e]));
}

/** EventBridge bills a published event per started 64 KB of its entry (detail, type, source, time). */
export function eventChunks(event: BridgeEvent): number {
  const bytes =
    14 +
    Buffer.byteLength(JSON.stringify(event.detail), 'utf8') +
    Buffer.byteLength(event['detail-type'], 'utf8') +
    Buffer.byteLength(event.source, 'utf8');
  return Math.ceil(bytes / (64 * 1024));
}

/** Metered usage of the season: ours and the Powertools Idempotency pattern. */
export interface SeasonResults {
  readonly tournaments: number;
  readonly ours: SeasonUsage;
  readonly powertools: SeasonUsage;
}

const recordWrite = (t: CapacityTotals) => t.tableWrite + t.indexWrite;

/** The season's events, each delivered once and every {@link DUPLICATE_EVERY}-th twice. */
function seasonOf(tournaments: number) {
  const start = Date.parse('2026-03-01T00:00:00Z');
  const events = Array.from({ length: tournaments }, (_, t) =>
    tournamentEvents(t, start + t * 86_400_000),
  ).flat();
  return { events, deliveries: deliveriesOf(events) };
}

/**
 * The statistics projector over one stream record per recorded activity, in batches of 100 as the
 * event source mapping hands them, every activity in its tournament's game: the transaction write
 * units and the read units (batch reads and sequence queries) it consumes.
 */
async function projectSeason(activities: readonly Activity[], ours: OurRecorder, meter: CapacityMeter) {
  progress('season cost: statistics');
  const before = { ...meter.totals };
  const project = createStatsHandler({ store: new DynamoProjectionStore(ours.db.doc, ours.tables.stats) });
  const batches = Array.from({ length: Math.ceil(activities.length / 100) }, (_, i) =>
    activities.slice(i * 100, i * 100 + 100),
  );
  await forEachLimit(batches, 1, async (batch) => {
    await project({ Records: batch.map(streamRecord) });
  });
  return {
    statsWrite: meter.totals.transactionWrite - before.transactionWrite,
    statsRead: meter.totals.batchRead - before.batchRead + (meter.totals.queryRead - before.queryRead),
    streamRecords: activities.length,
  };
}

/**
 * The audit of touched users over the same stream records, in batches of `batchRecords` (the bill's
 * assumption for both stream readers), after the projector: the read units its partition queries
 * consume, as DynamoDB Local reports them.
 */
async function auditSeason(
  activities: readonly Activity[],
  ours: OurRecorder,
  meter: CapacityMeter,
  batchRecords: number,
) {
  progress('season cost: audit of touched users');
  const before = meter.totals.read;
  const records = activities.map(streamRecord);
  const audit = createStreamAudit({ client: ours.db.doc, tables: ours.tables });
  for (let i = 0; i < records.length; i += batchRecords)
    await audit({ Records: records.slice(i, i + batchRecords) });
  return meter.totals.read - before;
}

/**
 * Runs a season of `tournaments` tournaments through both designs, the statistics projector and the
 * audit of touched users (stream batches of `streamBatchRecords`).
 */
export async function runSeasonCost(
  endpoint: string,
  tournaments: number,
  streamBatchRecords: number,
): Promise<SeasonResults> {
  const { events, deliveries } = seasonOf(tournaments);
  progress(
    `season cost: ${events.length} events, ${deliveries.length} deliveries, ${tournaments} tournaments`,
  );
  const ours = await ourRecorder(endpoint, 'season');
  const pt = await powertoolsRecorder(endpoint, 'season');
  const oursMeter = meterCapacity(ours.db.client);
  const ptMeter = meterCapacity(pt.db.client);
  // In order, one at a time: a duplicate follows its original as a retry does.
  for (const event of deliveries) {
    await ours.handler(event);
    await pt.handler(event, lambdaContext);
  }
  const recorded = { ...oursMeter.totals };
  // One stream record per recorded activity: what both readers of the stream are handed.
  const recordedAt = new Date();
  const activities = events.flatMap((e) => {
    const accepted = acceptEvent(e);
    return accepted.userIds.map((u) => activityFor(accepted, u, recordedAt));
  });
  const stats = await projectSeason(activities, ours, oursMeter);
  const auditRead = await auditSeason(activities, ours, oursMeter, streamBatchRecords);
  ours.db.client.destroy();
  pt.db.client.destroy();
  const common = {
    events: events.length,
    deliveries: deliveries.length,
    eventChunks: deliveries.reduce((n, e) => n + eventChunks(e), 0),
    ...stats,
    auditRead,
  };
  return {
    tournaments,
    ours: { ...common, recordWrite: recordWrite(recorded), duplicateWrite: recorded.failedConditionWrite },
    powertools: {
      ...common,
      recordWrite: recordWrite(ptMeter.totals),
      duplicateWrite: ptMeter.totals.failedConditionWrite,
    },
  };
}
