import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { figuresOf, type Measurements } from './figures.ts';
import { ASSUMPTIONS, costTable } from './lib/bill.ts';
import { progress } from './lib/progress.ts';
import { finalize, markdownTables, textTable } from './lib/report.ts';
import { type RetryCounts, resetRetryCounts } from './lib/retries.ts';
import { barChart, lineChart } from './lib/svg.ts';
import { runColdStart } from './scenarios/cold-start.ts';
import { runEndToEnd } from './scenarios/end-to-end.ts';
import { runErasedUsers } from './scenarios/erased-users.ts';
import { runMemory } from './scenarios/memory.ts';
import { runReading } from './scenarios/reading.ts';
import { runRecording } from './scenarios/recording.ts';
import { runSeasonCost } from './scenarios/season-cost.ts';
import { type HistoryResult, runStatistics } from './scenarios/statistics.ts';
import { runWriteUnits } from './scenarios/write-units.ts';

const BENCH_DIR = fileURLToPath(new URL('./', import.meta.url));

/** The scenarios, in the order a run measures them; `--only=a,b` runs some of them. */
export const SCENARIOS = [
  'cold-start',
  'recording',
  'memory',
  'statistics',
  'end-to-end',
  'write-units',
  'season-cost',
  'reading',
  'erased-users',
] as const;

/** One scenario's name. */
export type Scenario = (typeof SCENARIOS)[number];

/** `npm run bench -- --help`. */
export const USAGE = `npm run bench [-- OPTIONS]

Measures the integration against a DynamoDB Local it starts, prints the figures and writes them to
bench/ (a full run of every scenario) or bench/.build/ (anything else).

  --quick            every measurement smaller, well under two minutes
  --only=S[,S...]    only these scenarios: ${SCENARIOS.join(', ')}
  --events=N         events per recording path
  --help             this text`;

/** What one run measures; `--quick` shrinks everything to stay well under two minutes. */
export interface BenchParameters {
  readonly mode: 'full' | 'quick';
  /** The scenarios to run (all of them unless `--only` names some). */
  readonly only: readonly Scenario[];
  readonly events: number;
  readonly concurrencies: readonly number[];
  readonly rounds: number;
  readonly warmupEvents: number;
  readonly duplicateEvents: number;
  readonly histories: readonly number[];
  readonly statsSamples: number;
  readonly seasonEvents: number;
  readonly coldStartRuns: number;
  readonly memoryConcurrency: number;
  /** Participants of the events whose write units are measured. */
  readonly participants: readonly number[];
  /** Tournaments of the season the cost table is priced from. */
  readonly seasonTournaments: number;
  readonly readSamples: number;
  /** Sizes of the erasure log recording is measured with. */
  readonly erasedUsers: readonly number[];
  /**
   * Interleaved rounds of the erased-users comparison: its configurations differ by a few percent at
   * most, below what six rounds average out (two identical ones came out 13% apart).
   */
  readonly erasedRounds: number;
}

/** Run parameters from the command line. */
export function parameters(args: readonly string[]): BenchParameters {
  const quick = args.includes('--quick');
  const eventsArg = args.find((a) => a.startsWith('--events='));
  const only = onlyOf(args.find((a) => a.startsWith('--only=')));
  const base: BenchParameters = quick
    ? {
        mode: 'quick',
        only,
        events: 400,
        concurrencies: [1, 16, 64],
        rounds: 2,
        warmupEvents: 100,
        duplicateEvents: 100,
        histories: [10, 100, 1000],
        statsSamples: 8,
        seasonEvents: 500,
        coldStartRuns: 10,
        memoryConcurrency: 16,
        participants: [2, 10, 100, 1000],
        seasonTournaments: 2,
        readSamples: 100,
        erasedUsers: [0, 1000, 10_000],
        erasedRounds: 4,
      }
    : {
        mode: 'full',
        only,
        events: 5000,
        concurrencies: [1, 16, 64],
        rounds: 6,
        warmupEvents: 500,
        duplicateEvents: 1000,
        histories: [10, 100, 1000, 10_000],
        statsSamples: 15,
        seasonEvents: 20_000,
        coldStartRuns: 15,
        memoryConcurrency: 16,
        participants: [2, 10, 100, 1000],
        seasonTournaments: 8,
        readSamples: 500,
        erasedUsers: [0, 1000, 100_000],
        erasedRounds: 30,
      };
  if (!eventsArg) return base;
  const events = Number(eventsArg.slice('--events='.length));
  if (!Number.isInteger(events) || events < 10)
    throw new Error(`--events must be a whole number ≥ 10, got "${eventsArg}"`);
  return { ...base, events };
}

/** The scenarios `--only=a,b` names (all of them without it). */
function onlyOf(arg: string | undefined): readonly Scenario[] {
  if (!arg) return SCENARIOS;
  const names = arg.slice('--only='.length).split(',');
  const unknown = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n));
  if (unknown.length > 0)
    throw new Error(`unknown scenario ${unknown.join(', ')}: choose from ${SCENARIOS.join(', ')}`);
  return SCENARIOS.filter((name) => names.includes(name));
}

function javaVersion(): string {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  return probe.stderr.split('\n')[0]?.trim() ?? 'unknown';
}

/** Requests sent again, by scenario (see lib/retries.ts). */
const retries: Record<string, RetryCounts> = {};

/**
 * Runs a measurement on a DynamoDB Local of its own: the engine keeps every table and stream record
 * it ever saw in memory and slows down as they pile up, which would land on whichever measurement
 * happens to run later. The requests its clients had to send again are kept under `what`.
 */
async function withEngine<T>(what: string, run: (endpoint: string) => Promise<T>): Promise<T> {
  progress(`starting DynamoDB Local for ${what}`);
  const engine = await startDynamoDbLocal();
  try {
    return await run(engine.endpoint);
  } finally {
    await engine.stop();
    retries[what] = resetRetryCounts();
  }
}

/** Recording at each concurrency, each on a fresh engine, merged into one result. */
async function measureRecording(p: BenchParameters): Promise<Awaited<ReturnType<typeof runRecording>>> {
  let recording: Awaited<ReturnType<typeof runRecording>> | undefined;
  for (const concurrency of p.concurrencies) {
    const one = await withEngine(`recording at concurrency ${concurrency}`, (endpoint) =>
      runRecording({
        endpoint,
        events: p.events,
        concurrencies: [concurrency],
        rounds: p.rounds,
        warmupEvents: p.warmupEvents,
        duplicateEvents: p.duplicateEvents,
      }),
    );
    recording = recording
      ? { ...recording, byConcurrency: { ...recording.byConcurrency, ...one.byConcurrency } }
      : one;
  }
  if (!recording) throw new Error('no concurrency to measure: give at least one');
  return recording;
}

/** Every measurement of the run, in the order they run; the ones `--only` leaves out are absent. */
async function measure(p: BenchParameters): Promise<Partial<Measurements>> {
  const on = <T>(name: Scenario, run: () => Promise<T>) => (p.only.includes(name) ? run() : undefined);
  const coldStart = await on('cold-start', () => runColdStart(p.coldStartRuns));
  const recording = await on('recording', () => measureRecording(p));
  const memory = await on('memory', () =>
    withEngine('memory', (endpoint) => runMemory(endpoint, p.events, p.memoryConcurrency)),
  );
  const statistics = await on('statistics', () =>
    withEngine('statistics', (endpoint) =>
      runStatistics({ endpoint, histories: p.histories, samples: p.statsSamples }),
    ),
  );
  const endToEnd = await on('end-to-end', () =>
    withEngine('end to end', (endpoint) => runEndToEnd(endpoint, p.seasonEvents)),
  );
  const writeUnits = await on('write-units', () =>
    withEngine('write units', (endpoint) => runWriteUnits(endpoint, p.participants)),
  );
  const season = await on('season-cost', () =>
    withEngine('season cost', (endpoint) =>
      runSeasonCost(endpoint, p.seasonTournaments, ASSUMPTIONS.recordsPerStatsBatch),
    ),
  );
  const reading = await on('reading', () =>
    withEngine('reading', (endpoint) => runReading({ endpoint, users: 1000, samples: p.readSamples })),
  );
  const erased = await on('erased-users', () =>
    withEngine('erased users', (endpoint) =>
      runErasedUsers({
        endpoint,
        erasedUsers: p.erasedUsers,
        events: p.events,
        concurrency: 16,
        rounds: p.erasedRounds,
      }),
    ),
  );
  return { coldStart, recording, memory, statistics, endToEnd, writeUnits, season, reading, erased, retries };
}

/** The two charts of the report: statistics cost against history length, and the headline ratios. */
function writeCharts(
  outDir: string,
  statistics: readonly HistoryResult[],
  final: readonly ReturnType<typeof finalize>[],
): void {
  const statsChart = () =>
    lineChart({
      title: 'Applying one more finalization vs history length',
      xLabel: "activities already in the user's history",
      yLabel: 'ms per applied activity',
      categories: statistics.map((h) => h.history.toLocaleString('en-US')),
      series: [
        { name: 'projector (ours)', values: statistics.map((h) => h.ours.ms) },
        { name: 'projector, a late loss mid-history', values: statistics.map((h) => h.late.ms) },
        { name: 'recompute from history', values: statistics.map((h) => h.recompute.ms) },
      ],
      logY: true,
    });
  const ratioChart = barChart({
    title: 'Throughput and cold-start ratios (same run)',
    unit: '×',
    bars: final
      .filter(
        (f) =>
          f.headline && f.unit === 'ratio' && (f.id.startsWith('recording.') || f.id.startsWith('cold.')),
      )
      .map((f) => ({ label: f.label, value: f.value, goal: f.goal })),
  });
  if (statistics.length > 0) writeFileSync(join(outDir, 'stats-cost.svg'), statsChart());
  writeFileSync(join(outDir, 'ratios.svg'), ratioChart);
}

/** The Markdown report: how the run was made, the charts, every figure and the bill. */
function resultsMarkdown(r: {
  p: BenchParameters;
  finished: Date;
  environment: { node: string; java: string; cpus: number };
  seasonEvents: number | undefined;
  final: readonly ReturnType<typeof finalize>[];
  bill: string | undefined;
}): string {
  const { p, finished, environment, seasonEvents, final, bill } = r;
  const subset = p.only.length < SCENARIOS.length ? ` -- --only=${p.only.join(',')}` : '';
  const command = `npm run bench${p.mode === 'quick' ? ' -- --quick' : ''}${subset}`;
  return [
    '# Benchmark results',
    '',
    `${p.mode === 'full' ? 'Full' : 'Quick'} run of \`${command}\` on ${finished.toISOString().slice(0, 10)}: Node ${environment.node}, ${environment.java}, ${environment.cpus} CPUs, DynamoDB Local started by the bench. ` +
      'Every goal is a ratio of two measurements taken in the same run. How the figures are measured and why: see docs/performance.md.',
    '',
    `Parameters: ${p.events} events per recording path, ${p.rounds} interleaved rounds (${p.erasedRounds} for erased users), concurrency ${p.concurrencies.join(', ')}; histories ${p.histories.join(', ')} with ${p.statsSamples} samples each; a season of ${seasonEvents ?? 'no'} events; ${p.coldStartRuns} fresh processes per bundle.`,
    '',
    '![Statistics cost vs history length](stats-cost.svg)',
    '',
    '![Ratios](ratios.svg)',
    '',
    markdownTables(final),
    '',
    ...(bill ? ['### Cost per million events', '', bill, ''] : []),
  ].join('\n');
}

/** Where a run writes: bench/ for a full run of every scenario, bench/.build/ otherwise. */
function outputDir(p: BenchParameters): string {
  if (p.only.length < SCENARIOS.length) return join(BENCH_DIR, '.build', `${p.mode}-only`);
  return p.mode === 'full' ? BENCH_DIR : join(BENCH_DIR, '.build', 'quick');
}

/** Runs the measurements and writes the results (see {@link outputDir}). */
export async function main(args: readonly string[]): Promise<void> {
  if (args.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const p = parameters(args);
  const started = new Date();
  progress(
    `${p.mode} run of ${p.only.join(', ')}: ${p.events} events, concurrency ${p.concurrencies.join('/')}, histories ${p.histories.join('/')}`,
  );
  const measurements = await measure(p);
  const bill = measurements.season ? costTable(measurements.season) : undefined;
  const final = figuresOf(measurements, p).map(finalize);
  const outDir = outputDir(p);
  mkdirSync(outDir, { recursive: true });
  const environment = {
    node: process.version,
    java: javaVersion(),
    platform: `${process.platform} ${process.arch}`,
    cpus: (await import('node:os')).cpus().length,
  };
  const finished = new Date();
  const durationSeconds = Math.round((finished.getTime() - started.getTime()) / 1000);
  const results = {
    date: finished.toISOString(),
    durationSeconds,
    parameters: p,
    environment,
    figures: final,
    measurements,
  };
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

  writeCharts(outDir, measurements.statistics ?? [], final);
  const seasonEvents = measurements.endToEnd?.events;
  writeFileSync(
    join(outDir, 'results.md'),
    resultsMarkdown({ p, finished, environment, seasonEvents, final, bill }),
  );

  process.stdout.write(`\n${textTable(final)}\n${bill ? `Cost per million events\n${bill}\n` : ''}\n`);
  const missed = final.filter((f) => f.goal && !f.met);
  process.stdout.write(
    `${missed.length === 0 ? 'all goals met' : `goals missed: ${missed.map((f) => f.label).join('; ')}`}\n` +
      `results written to ${relative(process.cwd(), outDir) || '.'}/ (results.json, results.md, stats-cost.svg, ratios.svg)\n`,
  );
}
