import type { SeasonResults } from '../scenarios/season-cost.ts';
import type { WriteUnitResults } from '../scenarios/write-units.ts';
import { type CostAssumptions, costPerMillion, PRICES } from './cost.ts';
import type { Figure } from './report.ts';
import { ratio } from './stats.ts';

/**
 * What the bill assumes that a local run cannot measure: the functions' configured memory
 * (infra/stack.ts) and typical billed durations with network latency to DynamoDB.
 */
export const ASSUMPTIONS: CostAssumptions = {
  memoryMb: 512,
  recordingMs: 20,
  statsBatchMs: 60,
  recordsPerStatsBatch: 10,
  auditBatchMs: 60,
};

/** The write-unit figures: per affected user at each number of participants, and the goals. */
export function writeUnitFigures(w: WriteUnitResults): Figure[] {
  const W = `Write units per affected user (ReturnConsumedCapacity INDEXES, ${w.idLength}-character ids)`;
  const figures: Figure[] = [];
  for (const r of w.byParticipants) {
    const n = r.participants;
    const add = (id: string, label: string, value: number) =>
      figures.push({
        id: `wu.n${n}.${id}`,
        section: W,
        label: `${label}, ${n} participants`,
        value,
        unit: 'WU/user',
      });
    add('record', 'new activity (table + feed index)', r.recordTable + r.recordIndex);
    add('duplicate', 'duplicate (failed conditional put, documented charge)', r.duplicate);
    add('statsWrite', 'statistics transaction, documented', r.statsWrite);
    add('statsWriteReported', 'statistics transaction, as DynamoDB Local reports it', r.statsWriteReported);
    add('previous', 'previous item shape (whole detail, index ALL)', r.previousShape);
    figures.push({
      id: `wu.n${n}.recordPerEvent`,
      section: W,
      label: `new event, ${n} participants`,
      value: (r.recordTable + r.recordIndex) * n,
      unit: 'WU/event',
    });
  }
  const first = w.byParticipants[0];
  const last = w.byParticipants.at(-1);
  if (first && last)
    figures.push({
      id: 'wu.growth',
      section: W,
      label: `new activity per user, ${last.participants} / ${first.participants} participants`,
      value: ratio(last.recordTable + last.recordIndex, first.recordTable + first.recordIndex),
      unit: 'ratio',
      goal: { op: '<=', bound: 1.2 },
      headline: true,
    });
  figures.push(...statisticsCaseFigures(w.statistics));
  figures.push(
    {
      id: 'wu.match.record',
      section: W,
      label: 'new activity, 2-participant MatchFinalized (index included)',
      value: w.matchPerUser,
      unit: 'WU/user',
      goal: { op: '<=', bound: 2 },
    },
    {
      id: 'wu.match.duplicateToNew',
      section: W,
      label: 'duplicate / new write, 2-participant MatchFinalized',
      value: ratio(w.matchDuplicatePerUser, w.matchPerUser),
      unit: 'ratio',
      goal: { op: '<=', bound: 1 },
      headline: true,
    },
  );
  return figures;
}

/** The statistics cost of one more activity by event type and case, overall and per game. */
function statisticsCaseFigures(cases: WriteUnitResults['statistics']): Figure[] {
  const S =
    'Statistics per activity, overall + game, by event type (64-character ids, a history of 40 in the game)';
  return cases.flatMap((c, i) => {
    const id = `wu.stats.${i}`;
    return [
      {
        id: `${id}.write`,
        section: S,
        label: `${c.label}: write units, as billed`,
        value: c.writeUnits,
        unit: 'WU',
      },
      { id: `${id}.items`, section: S, label: `${c.label}: items written`, value: c.items, unit: 'items' },
      {
        id: `${id}.reported`,
        section: S,
        label: `${c.label}: write units, as DynamoDB Local reports`,
        value: c.writeUnitsReported,
        unit: 'WU',
      },
      { id: `${id}.read`, section: S, label: `${c.label}: read units`, value: c.readUnits, unit: 'RU' },
      {
        id: `${id}.requests`,
        section: S,
        label: `${c.label}: requests`,
        value: c.requests,
        unit: 'requests',
      },
    ];
  });
}

/** The season's statistics cost per activity and the cost per million events, with its goal. */
export function seasonFigures(season: SeasonResults): Figure[] {
  const S = `Season cost (${season.tournaments} tournaments of 32 players, a game on every event)`;
  const { ours } = season;
  return [
    {
      id: 'season.statsWritePerActivity',
      section: S,
      label: 'statistics write units per activity, as billed',
      value: ours.statsWrite / ours.streamRecords,
      unit: 'WU/activity',
    },
    {
      id: 'season.statsReadPerActivity',
      section: S,
      label: 'statistics read units per activity',
      value: ours.statsRead / ours.streamRecords,
      unit: 'RU/activity',
    },
    {
      id: 'season.auditReadPerActivity',
      section: S,
      label: 'audit of touched users: read units per activity',
      value: ours.auditRead / ours.streamRecords,
      unit: 'RU/activity',
    },
    {
      id: 'season.costPerMillion',
      section: S,
      label: 'cost per million events, ours',
      value: costPerMillion(ours, ASSUMPTIONS).total,
      unit: 'USD',
      goal: { op: '<=', bound: 10 },
      headline: true,
    },
  ];
}

const usd = (value: number) => `$${value < 10 ? value.toFixed(3) : value.toFixed(2)}`;
const units = (value: number) => Math.round(value).toLocaleString('en-US');

/** The cost of a million events of the season's mix, ours beside the Powertools pattern, as Markdown. */
export function costTable(season: SeasonResults): string {
  const ours = costPerMillion(season.ours, ASSUMPTIONS);
  const pt = costPerMillion(season.powertools, ASSUMPTIONS);
  const rows = ours.lines.map((line, i) => {
    const other = pt.lines[i] ?? line;
    return `| ${line.component} | ${units(line.units)} ${line.unit} | ${usd(line.usd)} | ${units(other.units)} | ${usd(other.usd)} |`;
  });
  const perEvent = (u: { recordWrite: number; duplicateWrite: number; events: number }) =>
    ((u.recordWrite + u.duplicateWrite) / u.events).toFixed(2);
  return [
    `Season mix: ${season.tournaments} tournaments of 32 players (${season.ours.events} events, every tenth delivered twice), priced per million events.`,
    `Recording write units per event: ${perEvent(season.ours)} (ours), ${perEvent(season.powertools)} (Powertools Idempotency).`,
    '',
    '| component | ours: units per million events | ours | Powertools pattern: units | Powertools pattern |',
    '|---|--:|--:|--:|--:|',
    ...rows,
    `| **total** | | **${usd(ours.total)}** | | **${usd(pt.total)}** |`,
    '',
    `Prices (us-east-1, on-demand): DynamoDB $${(PRICES.dynamoWriteUnit * 1e6).toFixed(3)} per million write units and $${(PRICES.dynamoReadUnit * 1e6).toFixed(3)} per million read units; Lambda $${(PRICES.lambdaRequest * 1e6).toFixed(2)} per million requests and $${PRICES.lambdaGbSecond} per GB-second (arm64); EventBridge $${(PRICES.eventBridgeEvent * 1e6).toFixed(2)} per million events (64 KB chunks); stream reads by a Lambda trigger free. ` +
      `Assumed: ${ASSUMPTIONS.memoryMb} MB functions, ${ASSUMPTIONS.recordingMs} ms per recording invocation, ${ASSUMPTIONS.statsBatchMs} ms per statistics batch and ${ASSUMPTIONS.auditBatchMs} ms per audit batch, each of ${ASSUMPTIONS.recordsPerStatsBatch} records.`,
  ].join('\n');
}
