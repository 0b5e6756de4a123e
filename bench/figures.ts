import { DEFAULT_ERASURE_CACHE_SECONDS } from '../lambda/shared/erased-users.ts';
import { erasedFigures } from './erased-figures.ts';
import { seasonFigures, writeUnitFigures } from './lib/bill.ts';
import type { Figure } from './lib/report.ts';
import type { RetryCounts } from './lib/retries.ts';
import { type Goal, ratio } from './lib/stats.ts';
import { type ColdStartResult, REFERENCE } from './scenarios/cold-start.ts';
import type { EndToEndResult } from './scenarios/end-to-end.ts';
import type { ErasedUsersResult } from './scenarios/erased-users.ts';
import type { MemoryResult } from './scenarios/memory.ts';
import type { ReadingResult } from './scenarios/reading.ts';
import type { RecordingResults } from './scenarios/recording.ts';
import type { SeasonResults } from './scenarios/season-cost.ts';
import type { HistoryResult } from './scenarios/statistics.ts';
import type { WriteUnitResults } from './scenarios/write-units.ts';

/** Every measurement of one run, as the scenarios return them. */
export interface Measurements {
  readonly recording: RecordingResults;
  readonly statistics: readonly HistoryResult[];
  readonly endToEnd: EndToEndResult;
  readonly reading: ReadingResult;
  readonly writeUnits: WriteUnitResults;
  readonly coldStart: readonly ColdStartResult[];
  readonly memory: readonly MemoryResult[];
  readonly erased: readonly ErasedUsersResult[];
  readonly season: SeasonResults;
  /** Requests sent again, by scenario. */
  readonly retries: Readonly<Record<string, RetryCounts>>;
}

/** One row of a section: id, label, value, unit, and what makes it a goal or a headline. */
type Row = readonly [
  id: string,
  label: string,
  value: number | null,
  unit: string,
  extra?: { goal?: Goal | undefined; headline?: boolean },
];

/** The rows of one table section as figures. */
const section = (name: string, rows: readonly Row[]): Figure[] =>
  rows.map(([id, label, value, unit, extra]) => ({ id, section: name, label, value, unit, ...extra }));

const perEvent = (total: number, events: number) => (events > 0 ? total / events : null);

function recordingFigures(recording: RecordingResults, concurrencies: readonly number[]): Figure[] {
  return concurrencies.flatMap((c) => {
    const r = recording.byConcurrency[c];
    if (!r) return [];
    return section('Recording: handler vs bare conditional PutItem vs Powertools Idempotency', [
      [`recording.c${c}.raw`, `raw PutItem floor, ${c} in flight`, r.raw.eventsPerSecond, 'events/s'],
      [`recording.c${c}.ours`, `recording handler, ${c} in flight`, r.ours.eventsPerSecond, 'events/s'],
      [
        `recording.c${c}.powertools`,
        `Powertools Idempotency, ${c} in flight`,
        r.powertools.eventsPerSecond,
        'events/s',
      ],
      [
        `recording.c${c}.oursToRaw`,
        `handler / raw floor, ${c} in flight`,
        ratio(r.ours.eventsPerSecond, r.raw.eventsPerSecond),
        'ratio',
        { goal: c >= 16 ? { op: '>=', bound: 0.85 } : undefined, headline: true },
      ],
      [
        `recording.c${c}.oursToPowertools`,
        `handler / Powertools, ${c} in flight`,
        ratio(r.ours.eventsPerSecond, r.powertools.eventsPerSecond),
        'ratio',
        { goal: { op: '>=', bound: 2 }, headline: true },
      ],
    ]);
  });
}

function requestFigures(recording: RecordingResults, concurrencies: readonly number[]): Figure[] {
  const first = recording.byConcurrency[concurrencies[0] as number];
  const d = recording.duplicates;
  const rows: Row[] = first
    ? [
        [
          'requests.new.ours',
          'handler, new event',
          perEvent(first.ours.requests.total, first.ours.events),
          'requests/event',
        ],
        [
          'requests.new.powertools',
          'Powertools, new event',
          perEvent(first.powertools.requests.total, first.powertools.events),
          'requests/event',
        ],
        [
          'requests.new.powertoolsToOurs',
          'Powertools / handler, new event',
          ratio(first.powertools.requests.total, first.ours.requests.total),
          'ratio',
          { headline: true },
        ],
      ]
    : [];
  return section('DynamoDB requests per event (counted by an SDK middleware)', [
    ...rows,
    [
      'requests.duplicate.ours',
      'handler, duplicate event',
      perEvent(d.ours.total, d.events),
      'requests/event',
    ],
    [
      'requests.duplicate.oursConditionalFailures',
      'handler, failed conditional writes per duplicate',
      perEvent(d.ours.conditionalFailures, d.events),
      'requests/event',
    ],
    [
      'requests.duplicate.powertools',
      'Powertools, duplicate event',
      perEvent(d.powertools.total, d.events),
      'requests/event',
    ],
  ]);
}

const STATISTICS =
  'Statistics: one more finalization for a user with N activities in two games (streaks and games kept)';

/** The figures of one history length. */
function historyFigures(h: HistoryResult): Figure[] {
  const n = `N=${h.history}`;
  return section(STATISTICS, [
    [`stats.h${h.history}.ours.ms`, `projector, ${n}`, h.ours.ms, 'ms/activity'],
    [`stats.h${h.history}.recompute.ms`, `recompute from history, ${n}`, h.recompute.ms, 'ms/activity'],
    [`stats.h${h.history}.ours.requests`, `projector requests, ${n}`, h.ours.requests, 'requests/activity'],
    [
      `stats.h${h.history}.recompute.requests`,
      `recompute requests, ${n}`,
      h.recompute.requests,
      'requests/activity',
    ],
    [`stats.h${h.history}.late.ms`, `projector, a late loss mid-history, ${n}`, h.late.ms, 'ms/activity'],
    [
      `stats.h${h.history}.late.requests`,
      `projector requests, a late loss mid-history, ${n}`,
      h.late.requests,
      'requests/activity',
    ],
    [
      `stats.h${h.history}.consistent`,
      `projector equals recompute, ${n}`,
      h.consistent ? 1 : 0,
      '1 = yes',
      { goal: { op: '>=', bound: 1 } },
    ],
  ]);
}

function statisticsFigures(statistics: readonly HistoryResult[]): Figure[] {
  const perHistory = statistics.flatMap(historyFigures);
  const smallest = statistics[0];
  const largest = statistics.at(-1);
  if (!smallest || !largest) return perHistory;
  const span = `N=${largest.history} / N=${smallest.history}`;
  return perHistory.concat(
    section(STATISTICS, [
      [
        'stats.ours.flatness',
        `projector time ${span}`,
        ratio(largest.ours.ms, smallest.ours.ms),
        'ratio',
        { goal: { op: '<=', bound: 1.5 }, headline: true },
      ],
      [
        'stats.ours.requestFlatness',
        `projector requests ${span}`,
        ratio(largest.ours.requests, smallest.ours.requests),
        'ratio',
        { goal: { op: '<=', bound: 1.5 }, headline: true },
      ],
      [
        'stats.late.flatness',
        `projector time, late loss, ${span}`,
        ratio(largest.late.ms, smallest.late.ms),
        'ratio',
      ],
      [
        'stats.recomputeToOurs',
        `recompute / projector time, N=${largest.history}`,
        ratio(largest.recompute.ms, largest.ours.ms),
        'ratio',
        // The goal is set at 10,000 activities: a quick run's shorter histories cannot reach it.
        { goal: largest.history >= 10_000 ? { op: '>=', bound: 60 } : undefined, headline: true },
      ],
    ]),
  );
}

function endToEndFigures(endToEnd: EndToEndResult, recording: RecordingResults): Figure[] {
  const floor = recording.byConcurrency[16]?.raw.eventsPerSecond ?? Number.NaN;
  return section(
    `End to end: PutEvents → statistics applied (${endToEnd.events} events, ${endToEnd.duplicates} duplicates)`,
    [
      [
        'e2e.eventsPerSecond',
        'events/s until the statistics caught up',
        endToEnd.eventsPerSecond,
        'events/s',
      ],
      [
        'e2e.toRawFloor',
        'end to end / raw floor at 16 in flight',
        ratio(endToEnd.eventsPerSecond, floor),
        'ratio',
        { headline: true },
      ],
      [
        'e2e.recordedExactlyOnce',
        'activities recorded / distinct actions',
        ratio(endToEnd.activitiesRecorded, endToEnd.distinctActions),
        'ratio',
        { goal: { op: '>=', bound: 1 } },
      ],
    ],
  );
}

/** Each read: its key in the results, its label, and the DynamoDB requests it may take. */
const READS = [
  ['single', 'statistics of one user', 1],
  ['notModified', 'statistics, If-None-Match matches (304)', 1],
  ['batch', 'statistics of 100 users', 1],
  ['feed', 'feed page of 20', 1],
] as const;

function readingFigures(reading: ReadingResult): Figure[] {
  return READS.flatMap(([key, label, maxRequests]) => {
    const cost = reading[key];
    return section(
      `Reads through the local read API (HTTP + read handler + DynamoDB Local, ${reading.single.samples} sequential reads each)`,
      [
        [`read.${key}.p50`, `${label}: p50`, cost.p50Ms, 'ms'],
        [`read.${key}.p99`, `${label}: p99`, cost.p99Ms, 'ms'],
        [
          `read.${key}.requests`,
          `${label}: DynamoDB requests per read`,
          cost.requestsPerRead,
          'requests/read',
          { goal: { op: '<=', bound: maxRequests } },
        ],
        // The erased-set refresh costs time, not reads: at most one query per cache period per
        // container, so the bound follows from how long the reads took, whatever their number.
        [
          `read.${key}.logQueries`,
          `${label}: erasure-log queries in ${(cost.durationMs / 1000).toFixed(0)} s of reads`,
          cost.logQueries,
          'queries',
          {
            goal: { op: '<=', bound: Math.floor(cost.durationMs / 1000 / DEFAULT_ERASURE_CACHE_SECONDS) + 1 },
          },
        ],
      ],
    );
  });
}

function coldStartFigures(coldStart: readonly ColdStartResult[]): Figure[] {
  const reference = coldStart.find((b) => b.name === REFERENCE);
  return coldStart.flatMap((b) =>
    section('Cold start: minified ESM bundles, fresh Node process (median)', [
      [`cold.${b.name}.bytes`, `${b.name}: bundle`, b.bytes / 1024, 'KiB'],
      [`cold.${b.name}.gzip`, `${b.name}: gzip`, b.gzipBytes / 1024, 'KiB'],
      [`cold.${b.name}.readyMs`, `${b.name}: process start → handler ready`, b.readyMs, 'ms'],
      ...(b.name !== REFERENCE && reference
        ? ([
            [
              `cold.${b.name}.toReference`,
              `${b.name}: ready time / reference`,
              ratio(b.readyMs, reference.readyMs),
              'ratio',
              // Recording is the hot path (every event of a cold container waits for it): its own, tighter goal.
              { goal: { op: '<=', bound: b.name === 'recording' ? 1.2 : 1.3 }, headline: true },
            ],
          ] as const)
        : []),
    ]),
  );
}

function memoryFigures(memory: readonly MemoryResult[], events: number, concurrency: number): Figure[] {
  const ours = memory.find((m) => m.mode === 'ours');
  const raw = memory.find((m) => m.mode === 'raw');
  if (!ours || !raw) return [];
  return section(`Memory: peak RSS over the ${events}-event run (own process, ${concurrency} in flight)`, [
    ['memory.ours', 'recording handler', ours.peakRssBytes / 2 ** 20, 'MiB'],
    ['memory.raw', 'bare PutItem of the same activities', raw.peakRssBytes / 2 ** 20, 'MiB'],
    [
      'memory.oursToRaw',
      'handler / bare PutItem',
      ratio(ours.peakRssBytes, raw.peakRssBytes),
      'ratio',
      { headline: true },
    ],
  ]);
}

/** Figures of the scenarios that ran (a run with `--only` measures some of them). */
const when = <T>(measured: T | undefined, figures: (m: T) => Figure[]): Figure[] =>
  measured === undefined ? [] : figures(measured);

/** Every figure of the run, in the order the report lists them. */
export function figuresOf(
  m: Partial<Measurements>,
  p: { concurrencies: readonly number[]; events: number; memoryConcurrency: number },
): Figure[] {
  return [
    ...when(m.recording, (r) => recordingFigures(r, p.concurrencies)),
    ...when(m.recording, (r) => requestFigures(r, p.concurrencies)),
    ...when(m.erased, erasedFigures),
    ...when(m.statistics, statisticsFigures),
    ...when(m.endToEnd, (e) => (m.recording ? endToEndFigures(e, m.recording) : [])),
    ...when(m.reading, readingFigures),
    ...when(m.writeUnits, writeUnitFigures),
    ...when(m.season, seasonFigures),
    ...when(m.coldStart, coldStartFigures),
    ...when(m.memory, (memory) => memoryFigures(memory, p.events, p.memoryConcurrency)),
    ...when(m.retries, retryFigures),
  ];
}

/** Requests the bench sent again, by scenario: a slow or failed answer of DynamoDB Local, retried. */
function retryFigures(retries: Readonly<Record<string, RetryCounts>>): Figure[] {
  return section(
    'DynamoDB Local answers that were late or failed, sent again (the figures above include them)',
    Object.entries(retries).map(
      ([scenario, counts]): Row => [
        `retries.${scenario}`,
        `${scenario}: requests sent again${
          Object.keys(counts.byReason).length > 0
            ? ` (${Object.entries(counts.byReason)
                .map(([why, n]) => `${n} ${why}`)
                .join(', ')})`
            : ''
        }`,
        counts.retried,
        'requests',
      ],
    ),
  );
}
