import type { Context } from 'aws-lambda';
import { recordingDependencies } from '../../lambda/adapters/recording.ts';
import { DynamoProjectionStore } from '../../lambda/adapters/stats-store.ts';
import { activityFor } from '../../lambda/domain/activity.ts';
import { forEachLimit } from '../../lambda/domain/concurrency.ts';
import { acceptEvent } from '../../lambda/domain/events.ts';
import { createStatsHandler } from '../../lambda/handlers/project-stats.ts';
import { createRecordHandler } from '../../lambda/handlers/record-activity.ts';
import { type CapacityTotals, meterCapacity } from '../lib/capacity.ts';
import type { SeasonUsage } from '../lib/cost.ts';
import { countedClient, createIdempotencyTable, freshTables } from '../lib/local.ts';
import { progress } from '../lib/progress.ts';
import { type BridgeEvent, bridgeEvent } from '../lib/workload.ts';
import { AlwaysOnFlag, powertoolsHandler } from './recording.ts';
import { streamRecord } from './statistics.ts';

/** Players per tournament of the season. */
export const PLAYERS = 32;
/** Every n-th delivery is sent twice (publisher retry, replay). */
export const DUPLICATE_EVERY = 10;
/** Every n-th match is disputed, resolved, and finalized again. */
const DISPUTE_EVERY = 10;

/**
 * One single-elimination tournament as the platform publishes it: registrations, payments and
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
  return out.map(([detailType, fields], i) =>
    bridgeEvent(detailType, { tournamentId, occurredAt: at(i), ...fields }, `season-${t}-${i}`),
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

const lambdaContext = { getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
const recordWrite = (t: CapacityTotals) => t.tableWrite + t.indexWrite;

/** Runs a season of `tournaments` tournaments through both designs and the statistics projector. */
export async function runSeasonCost(endpoint: string, tournaments: number): Promise<SeasonResults> {
  const start = Date.parse('2026-03-01T00:00:00Z');
  const events = Array.from({ length: tournaments }, (_, t) =>
    tournamentEvents(t, start + t * 86_400_000),
  ).flat();
  const deliveries = deliveriesOf(events);
  progress(
    `season cost: ${events.length} events, ${deliveries.length} deliveries, ${tournaments} tournaments`,
  );

  const ours = countedClient(endpoint);
  const oursMeter = meterCapacity(ours.client);
  const ourTables = await freshTables(ours.client, 'season-ours');
  const record = createRecordHandler(
    recordingDependencies({
      client: ours.doc,
      tables: ourTables,
      flag: new AlwaysOnFlag(),
    }),
  );
  const pt = countedClient(endpoint);
  const ptMeter = meterCapacity(pt.client);
  const ptTables = await freshTables(pt.client, 'season-pt');
  const ptHandler = powertoolsHandler(
    pt,
    ptTables.activities,
    await createIdempotencyTable(pt.client, 'season'),
  );

  oursMeter.reset();
  ptMeter.reset();
  // In order, a few at once: a duplicate follows its original as a retry does.
  for (const event of deliveries) {
    await record(event);
    await ptHandler(event, lambdaContext);
  }

  progress('season cost: statistics');
  const recordedAt = new Date();
  const activities = events.flatMap((e) => {
    const accepted = acceptEvent(e);
    return accepted.userIds.map((u) => activityFor(accepted, u, recordedAt));
  });
  const project = createStatsHandler({ store: new DynamoProjectionStore(ours.doc, ourTables.stats) });
  const statsBefore = { ...oursMeter.totals };
  const batches = Array.from({ length: Math.ceil(activities.length / 100) }, (_, i) =>
    activities.slice(i * 100, i * 100 + 100),
  );
  await forEachLimit(batches, 1, async (batch) => {
    await project({ Records: batch.map(streamRecord) });
  });
  const statsWrite = oursMeter.totals.transactionWrite - statsBefore.transactionWrite;
  const statsRead = oursMeter.totals.batchRead - statsBefore.batchRead;

  const common = {
    events: events.length,
    deliveries: deliveries.length,
    eventChunks: deliveries.reduce((n, e) => n + eventChunks(e), 0),
    statsWrite,
    statsRead,
    streamRecords: activities.length,
  };
  ours.client.destroy();
  pt.client.destroy();
  return {
    tournaments,
    ours: {
      ...common,
      recordWrite: recordWrite(statsBefore),
      duplicateWrite: statsBefore.failedConditionWrite,
    },
    powertools: {
      ...common,
      recordWrite: recordWrite(ptMeter.totals),
      duplicateWrite: ptMeter.totals.failedConditionWrite,
    },
  };
}
