import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local.ts';
import { costTable, writeUnitFigures } from './lib/bill.ts';
import { progress } from './lib/progress.ts';
import { type Figure, finalize, markdownTables, textTable } from './lib/report.ts';
import { ratio } from './lib/stats.ts';
import { barChart, lineChart } from './lib/svg.ts';
import { REFERENCE, runColdStart } from './scenarios/cold-start.ts';
import { runEndToEnd } from './scenarios/end-to-end.ts';
import { runMemory } from './scenarios/memory.ts';
import { runReading } from './scenarios/reading.ts';
import { runRecording } from './scenarios/recording.ts';
import { runSeasonCost } from './scenarios/season-cost.ts';
import { runStatistics } from './scenarios/statistics.ts';
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

const perEvent = (total: number, events: number) => (events > 0 ? total / events : null);

/** Runs every measurement and writes the results (full run: bench/, quick run: bench/.build/quick/). */
export async function main(args: readonly string[]): Promise<void> {
  const p = parameters(args);
  const started = new Date();
  progress(
    `${p.mode} run: ${p.events} events, concurrency ${p.concurrencies.join('/')}, histories ${p.histories.join('/')}`,
  );

  const coldStart = await runColdStart(p.coldStartRuns);
  // Each measurement gets a DynamoDB Local of its own: the engine keeps every table and stream
  // record it ever saw in memory and slows down as they pile up, which would land on whichever
  // measurement happens to run later.
  const withEngine = async <T>(what: string, run: (endpoint: string) => Promise<T>): Promise<T> => {
    progress(`starting DynamoDB Local for ${what}`);
    const engine = await startDynamoDbLocal();
    try {
      return await run(engine.endpoint);
    } finally {
      await engine.stop();
    }
  };
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

  const figures: Figure[] = [];
  const add = (f: Figure) => figures.push(f);

  // 1 and 2: recording.
  const R = 'Recording: handler vs bare conditional PutItem vs Powertools Idempotency';
  for (const c of p.concurrencies) {
    const r = recording.byConcurrency[c];
    if (!r) continue;
    add({
      id: `recording.c${c}.raw`,
      section: R,
      label: `raw PutItem floor, ${c} in flight`,
      value: r.raw.eventsPerSecond,
      unit: 'events/s',
    });
    add({
      id: `recording.c${c}.ours`,
      section: R,
      label: `recording handler, ${c} in flight`,
      value: r.ours.eventsPerSecond,
      unit: 'events/s',
    });
    add({
      id: `recording.c${c}.powertools`,
      section: R,
      label: `Powertools Idempotency, ${c} in flight`,
      value: r.powertools.eventsPerSecond,
      unit: 'events/s',
    });
    add({
      id: `recording.c${c}.oursToRaw`,
      section: R,
      label: `handler / raw floor, ${c} in flight`,
      value: ratio(r.ours.eventsPerSecond, r.raw.eventsPerSecond),
      unit: 'ratio',
      goal: c >= 16 ? { op: '>=', bound: 0.85 } : undefined,
      headline: true,
    });
    add({
      id: `recording.c${c}.oursToPowertools`,
      section: R,
      label: `handler / Powertools, ${c} in flight`,
      value: ratio(r.ours.eventsPerSecond, r.powertools.eventsPerSecond),
      unit: 'ratio',
      goal: { op: '>=', bound: 2 },
      headline: true,
    });
  }
  const first = recording.byConcurrency[p.concurrencies[0] as number];
  const Q = 'DynamoDB requests per event (counted by an SDK middleware)';
  if (first) {
    add({
      id: 'requests.new.ours',
      section: Q,
      label: 'handler, new event',
      value: perEvent(first.ours.requests.total, first.ours.events),
      unit: 'requests/event',
    });
    add({
      id: 'requests.new.powertools',
      section: Q,
      label: 'Powertools, new event',
      value: perEvent(first.powertools.requests.total, first.powertools.events),
      unit: 'requests/event',
    });
    add({
      id: 'requests.new.powertoolsToOurs',
      section: Q,
      label: 'Powertools / handler, new event',
      value: ratio(first.powertools.requests.total, first.ours.requests.total),
      unit: 'ratio',
      headline: true,
    });
  }
  const d = recording.duplicates;
  add({
    id: 'requests.duplicate.ours',
    section: Q,
    label: 'handler, duplicate event',
    value: perEvent(d.ours.total, d.events),
    unit: 'requests/event',
  });
  add({
    id: 'requests.duplicate.oursConditionalFailures',
    section: Q,
    label: 'handler, failed conditional writes per duplicate',
    value: perEvent(d.ours.conditionalFailures, d.events),
    unit: 'requests/event',
  });
  add({
    id: 'requests.duplicate.powertools',
    section: Q,
    label: 'Powertools, duplicate event',
    value: perEvent(d.powertools.total, d.events),
    unit: 'requests/event',
  });

  // 3: statistics.
  const S = 'Statistics: one more finalization for a user with N activities';
  for (const h of statistics) {
    add({
      id: `stats.h${h.history}.ours.ms`,
      section: S,
      label: `projector, N=${h.history}`,
      value: h.ours.ms,
      unit: 'ms/activity',
    });
    add({
      id: `stats.h${h.history}.recompute.ms`,
      section: S,
      label: `recompute from history, N=${h.history}`,
      value: h.recompute.ms,
      unit: 'ms/activity',
    });
    add({
      id: `stats.h${h.history}.ours.requests`,
      section: S,
      label: `projector requests, N=${h.history}`,
      value: h.ours.requests,
      unit: 'requests/activity',
    });
    add({
      id: `stats.h${h.history}.recompute.requests`,
      section: S,
      label: `recompute requests, N=${h.history}`,
      value: h.recompute.requests,
      unit: 'requests/activity',
    });
    add({
      id: `stats.h${h.history}.consistent`,
      section: S,
      label: `projector equals recompute, N=${h.history}`,
      value: h.consistent ? 1 : 0,
      unit: '1 = yes',
      goal: { op: '>=', bound: 1 },
    });
  }
  const smallest = statistics[0];
  const largest = statistics.at(-1);
  if (smallest && largest) {
    add({
      id: 'stats.ours.flatness',
      section: S,
      label: `projector time N=${largest.history} / N=${smallest.history}`,
      value: ratio(largest.ours.ms, smallest.ours.ms),
      unit: 'ratio',
      goal: { op: '<=', bound: 1.5 },
      headline: true,
    });
    add({
      id: 'stats.recomputeToOurs',
      section: S,
      label: `recompute / projector time, N=${largest.history}`,
      value: ratio(largest.recompute.ms, largest.ours.ms),
      unit: 'ratio',
      headline: true,
    });
  }

  // 4: end to end.
  const E = `End to end: PutEvents → statistics applied (${endToEnd.events} events, ${endToEnd.duplicates} duplicates)`;
  const floor = recording.byConcurrency[16]?.raw.eventsPerSecond ?? Number.NaN;
  add({
    id: 'e2e.eventsPerSecond',
    section: E,
    label: 'events/s until the statistics caught up',
    value: endToEnd.eventsPerSecond,
    unit: 'events/s',
  });
  add({
    id: 'e2e.toRawFloor',
    section: E,
    label: 'end to end / raw floor at 16 in flight',
    value: ratio(endToEnd.eventsPerSecond, floor),
    unit: 'ratio',
    headline: true,
  });
  add({
    id: 'e2e.recordedExactlyOnce',
    section: E,
    label: 'activities recorded / distinct actions',
    value: ratio(endToEnd.activitiesRecorded, endToEnd.distinctActions),
    unit: 'ratio',
    goal: { op: '>=', bound: 1 },
  });

  // 4b: reads through the local API.
  const READ = `Reads through the local read API (HTTP + read handler + DynamoDB Local, ${reading.single.samples} sequential reads each)`;
  const reads = [
    ['single', 'statistics of one user', 1],
    ['notModified', 'statistics, If-None-Match matches (304)', 1],
    ['batch', 'statistics of 100 users', 1],
    ['feed', 'feed page of 20', 1],
  ] as const;
  for (const [key, label, maxRequests] of reads) {
    const cost = reading[key];
    add({ id: `read.${key}.p50`, section: READ, label: `${label}: p50`, value: cost.p50Ms, unit: 'ms' });
    add({ id: `read.${key}.p99`, section: READ, label: `${label}: p99`, value: cost.p99Ms, unit: 'ms' });
    add({
      id: `read.${key}.requests`,
      section: READ,
      label: `${label}: DynamoDB requests per read`,
      value: cost.requestsPerRead,
      unit: 'requests/read',
      goal: { op: '<=', bound: maxRequests },
    });
  }

  // 5: write units and the bill.
  for (const figure of writeUnitFigures(writeUnits)) add(figure);
  const bill = costTable(season);

  // 6: cold start.
  const C = 'Cold start: minified ESM bundles, fresh Node process (median)';
  const reference = coldStart.find((b) => b.name === REFERENCE);
  for (const b of coldStart) {
    add({
      id: `cold.${b.name}.bytes`,
      section: C,
      label: `${b.name}: bundle`,
      value: b.bytes / 1024,
      unit: 'KiB',
    });
    add({
      id: `cold.${b.name}.gzip`,
      section: C,
      label: `${b.name}: gzip`,
      value: b.gzipBytes / 1024,
      unit: 'KiB',
    });
    add({
      id: `cold.${b.name}.readyMs`,
      section: C,
      label: `${b.name}: process start → handler ready`,
      value: b.readyMs,
      unit: 'ms',
    });
    if (b.name !== REFERENCE && reference)
      add({
        id: `cold.${b.name}.toReference`,
        section: C,
        label: `${b.name}: ready time / reference`,
        value: ratio(b.readyMs, reference.readyMs),
        unit: 'ratio',
        goal: { op: '<=', bound: 1.3 },
        headline: true,
      });
  }

  // 7: memory.
  const M = `Memory: peak RSS over the ${p.events}-event run (own process, ${p.memoryConcurrency} in flight)`;
  const ours = memory.find((m) => m.mode === 'ours');
  const raw = memory.find((m) => m.mode === 'raw');
  if (ours && raw) {
    add({
      id: 'memory.ours',
      section: M,
      label: 'recording handler',
      value: ours.peakRssBytes / 2 ** 20,
      unit: 'MiB',
    });
    add({
      id: 'memory.raw',
      section: M,
      label: 'bare PutItem of the same activities',
      value: raw.peakRssBytes / 2 ** 20,
      unit: 'MiB',
    });
    add({
      id: 'memory.oursToRaw',
      section: M,
      label: 'handler / bare PutItem',
      value: ratio(ours.peakRssBytes, raw.peakRssBytes),
      unit: 'ratio',
      headline: true,
    });
  }

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
        measurements: { recording, memory, statistics, endToEnd, reading, coldStart, writeUnits, season },
      },
      null,
      2,
    )}\n`,
  );

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

  const markdown = [
    '# Benchmark results',
    '',
    `${p.mode === 'full' ? 'Full' : 'Quick'} run of \`npm run bench${p.mode === 'quick' ? ' -- --quick' : ''}\` on ${finished.toISOString().slice(0, 10)}: Node ${environment.node}, ${environment.java}, ${environment.cpus} CPUs, DynamoDB Local started by the bench. ` +
      'Every goal is a ratio of two measurements taken in the same run. How the figures are measured and why: see docs/performance.md.',
    '',
    `Parameters: ${p.events} events per recording path, ${p.rounds} interleaved rounds, concurrency ${p.concurrencies.join(', ')}; histories ${p.histories.join(', ')} with ${p.statsSamples} samples each; a season of ${endToEnd.events} events; ${p.coldStartRuns} fresh processes per bundle.`,
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
  writeFileSync(join(outDir, 'results.md'), markdown);

  process.stdout.write(`\n${textTable(final)}\nCost per million events\n${bill}\n\n`);
  const missed = final.filter((f) => f.goal && !f.met);
  process.stdout.write(
    `${missed.length === 0 ? 'all goals met' : `goals missed: ${missed.map((f) => f.label).join('; ')}`}\n` +
      `results written to ${relative(process.cwd(), outDir) || '.'}/ (results.json, results.md, stats-cost.svg, ratios.svg)\n`,
  );
}
