import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { figuresOf } from './figures.ts';
import { costTable } from './lib/bill.ts';
import { progress } from './lib/progress.ts';
import { finalize, markdownTables, textTable } from './lib/report.ts';
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

/** What one run measures; `--quick` shrinks everything to stay well under two minutes. */
export interface BenchParameters {
  readonly mode: 'full' | 'quick';
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
  const base: BenchParameters = quick
    ? {
        mode: 'quick',
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

function javaVersion(): string {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  return probe.stderr.split('\n')[0]?.trim() ?? 'unknown';
}

/**
 * Runs a measurement on a DynamoDB Local of its own: the engine keeps every table and stream record
 * it ever saw in memory and slows down as they pile up, which would land on whichever measurement
 * happens to run later.
 */
async function withEngine<T>(what: string, run: (endpoint: string) => Promise<T>): Promise<T> {
  progress(`starting DynamoDB Local for ${what}`);
  const engine = await startDynamoDbLocal();
  try {
    return await run(engine.endpoint);
  } finally {
    await engine.stop();
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

/** Every measurement of the run, in the order they run. */
async function measure(p: BenchParameters) {
  const coldStart = await runColdStart(p.coldStartRuns);
  const recording = await measureRecording(p);
  const memory = await withEngine('memory', (endpoint) => runMemory(endpoint, p.events, p.memoryConcurrency));
  const statistics = await withEngine('statistics', (endpoint) =>
    runStatistics({ endpoint, histories: p.histories, samples: p.statsSamples }),
  );
  const endToEnd = await withEngine('end to end', (endpoint) => runEndToEnd(endpoint, p.seasonEvents));
  const writeUnits = await withEngine('write units', (endpoint) => runWriteUnits(endpoint, p.participants));
  const season = await withEngine('season cost', (endpoint) => runSeasonCost(endpoint, p.seasonTournaments));
  const reading = await withEngine('reading', (endpoint) =>
    runReading({ endpoint, users: 1000, samples: p.readSamples }),
  );
  const erased = await withEngine('erased users', (endpoint) =>
    runErasedUsers({
      endpoint,
      erasedUsers: p.erasedUsers,
      events: p.events,
      concurrency: 16,
      rounds: p.erasedRounds,
    }),
  );
  return { coldStart, recording, memory, statistics, endToEnd, writeUnits, season, reading, erased };
}

/** The two charts of the report: statistics cost against history length, and the headline ratios. */
function writeCharts(
  outDir: string,
  statistics: readonly HistoryResult[],
  final: readonly ReturnType<typeof finalize>[],
): void {
  const statsChart = lineChart({
    title: 'Applying one more finalization vs history length',
    xLabel: "activities already in the user's history",
    yLabel: 'ms per applied activity',
    categories: statistics.map((h) => h.history.toLocaleString('en-US')),
    series: [
      { name: 'projector (ours)', values: statistics.map((h) => h.ours.ms) },
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
  writeFileSync(join(outDir, 'stats-cost.svg'), statsChart);
  writeFileSync(join(outDir, 'ratios.svg'), ratioChart);
}

/** The Markdown report: how the run was made, the charts, every figure and the bill. */
function resultsMarkdown(r: {
  p: BenchParameters;
  finished: Date;
  environment: { node: string; java: string; cpus: number };
  seasonEvents: number;
  final: readonly ReturnType<typeof finalize>[];
  bill: string;
}): string {
  const { p, finished, environment, seasonEvents, final, bill } = r;
  return [
    '# Benchmark results',
    '',
    `${p.mode === 'full' ? 'Full' : 'Quick'} run of \`npm run bench${p.mode === 'quick' ? ' -- --quick' : ''}\` on ${finished.toISOString().slice(0, 10)}: Node ${environment.node}, ${environment.java}, ${environment.cpus} CPUs, DynamoDB Local started by the bench. ` +
      'Every goal is a ratio of two measurements taken in the same run. How the figures are measured and why: see docs/performance.md.',
    '',
    `Parameters: ${p.events} events per recording path, ${p.rounds} interleaved rounds (${p.erasedRounds} for erased users), concurrency ${p.concurrencies.join(', ')}; histories ${p.histories.join(', ')} with ${p.statsSamples} samples each; a season of ${seasonEvents} events; ${p.coldStartRuns} fresh processes per bundle.`,
    '',
    '![Statistics cost vs history length](stats-cost.svg)',
    '',
    '![Ratios](ratios.svg)',
    '',
    markdownTables(final),
    '',
    '### Cost per million events',
    '',
    bill,
    '',
  ].join('\n');
}

/** Runs every measurement and writes the results (full run: bench/, quick run: bench/.build/quick/). */
export async function main(args: readonly string[]): Promise<void> {
  const p = parameters(args);
  const started = new Date();
  progress(
    `${p.mode} run: ${p.events} events, concurrency ${p.concurrencies.join('/')}, histories ${p.histories.join('/')}`,
  );
  const measurements = await measure(p);
  const { coldStart, recording, memory, statistics, endToEnd, writeUnits, season, reading, erased } =
    measurements;

  const bill = costTable(season);
  const figures = figuresOf(measurements, p);
  const final = figures.map(finalize);
  const outDir = p.mode === 'full' ? BENCH_DIR : join(BENCH_DIR, '.build', 'quick');
  mkdirSync(outDir, { recursive: true });
  const environment = {
    node: process.version,
    java: javaVersion(),
    platform: `${process.platform} ${process.arch}`,
    cpus: (await import('node:os')).cpus().length,
  };
  const finished = new Date();
  writeFileSync(
    join(outDir, 'results.json'),
    `${JSON.stringify(
      {
        date: finished.toISOString(),
        durationSeconds: Math.round((finished.getTime() - started.getTime()) / 1000),
        parameters: p,
        environment,
        figures: final,
        measurements: {
          recording,
          memory,
          statistics,
          endToEnd,
          reading,
          coldStart,
          writeUnits,
          season,
          erased,
        },
      },
      null,
      2,
    )}\n`,
  );

  writeCharts(outDir, statistics, final);
  const markdown = resultsMarkdown({ p, finished, environment, seasonEvents: endToEnd.events, final, bill });
  writeFileSync(join(outDir, 'results.md'), markdown);

  process.stdout.write(`\n${textTable(final)}\nCost per million events\n${bill}\n\n`);
  const missed = final.filter((f) => f.goal && !f.met);
  process.stdout.write(
    `${missed.length === 0 ? 'all goals met' : `goals missed: ${missed.map((f) => f.label).join('; ')}`}\n` +
      `results written to ${relative(process.cwd(), outDir) || '.'}/ (results.json, results.md, stats-cost.svg, ratios.svg)\n`,
  );
}
