/**
 * Runs the chaos property over the whole local pipeline and prints the figures. The histories are
 * cut into chunks, each with its own seed from a fixed list (base seed, base + 1, ...) and its own
 * DynamoDB Local, so a long run is resumable: each finished chunk is written to a state file, and
 * running the same command again skips what is done.
 *
 * Usage: npm run chaos -- [--runs N] [--chunk C] [--seed S] [--state FILE] [--fresh] [--quiet]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';

// Set before the handlers load: their logger and metrics read the environment once.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
const { startDynamoDbLocal } = await import('../local/dynamodb-local.ts');
const { runChaos } = await import('./reliability/chaos.ts');
type ChaosFigures = Awaited<ReturnType<typeof runChaos>>;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '50' },
    chunk: { type: 'string', default: '25' },
    seed: { type: 'string', default: '20261126' },
    state: { type: 'string' },
    fresh: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const chunk = Number(values.chunk);
const base = Number(values.seed);
if (![runs, chunk].every((n) => Number.isInteger(n) && n >= 1) || !Number.isInteger(base)) {
  console.error(
    'usage: npm run chaos -- [--runs N] [--chunk C] [--seed S] [--state FILE] [--fresh]: N and C positive whole numbers, S a whole number',
  );
  process.exit(2);
}

/** One chunk of the plan: `runs` histories generated from `seed`. */
interface Chunk {
  readonly seed: number;
  readonly runs: number;
}
const plan: Chunk[] = Array.from({ length: Math.ceil(runs / chunk) }, (_, i) => ({
  seed: base + i,
  runs: Math.min(chunk, runs - i * chunk),
}));
const statePath = values.state ?? `.chaos/seed-${base}-runs-${runs}-chunk-${chunk}.json`;

/** Finished chunks by seed, kept on disk so an interrupted run resumes where it stopped. */
type State = Record<string, ChaosFigures>;
function loadState(): State {
  if (values.fresh || !existsSync(statePath)) return {};
  return JSON.parse(readFileSync(statePath, 'utf8')) as State;
}
function saveState(state: State): void {
  mkdirSync(dirname(statePath), { recursive: true });
  writeFileSync(statePath, `${JSON.stringify(state, null, 2)}\n`);
}

function total(figures: readonly ChaosFigures[]): ChaosFigures {
  const sum = {} as Record<string, number>;
  for (const f of figures)
    for (const [name, value] of Object.entries(f)) sum[name] = (sum[name] ?? 0) + (value as number);
  return sum as unknown as ChaosFigures;
}
const violations = (f: ChaosFigures) =>
  f.losses + f.doubles + f.statsMismatches + f.missingDeadLetters + f.givenUp;
const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;

const state = loadState();
const done = plan.filter((c) => state[c.seed] !== undefined);
let historiesDone = done.reduce((n, c) => n + c.runs, 0);
console.log(
  `chaos: ${runs} histories in ${plan.length} chunks of up to ${chunk}, seeds ${base}–${base + plan.length - 1}; ` +
    `state ${statePath}${done.length > 0 ? ` (resuming: ${done.length} chunks, ${historiesDone} histories done)` : ''}`,
);

const started = Date.now();
let historiesThisRun = 0;
let failed: Chunk | undefined;
for (const current of plan) {
  if (state[current.seed]) continue;
  const engine = await startDynamoDbLocal();
  try {
    const figures = await runChaos({
      dynamodbEndpoint: engine.endpoint,
      runs: current.runs,
      seed: current.seed,
      log: (line) => {
        if (!line.startsWith('run ')) return values.quiet || console.log(line);
        historiesDone += 1;
        historiesThisRun += 1;
        const perHistory = (Date.now() - started) / historiesThisRun;
        const eta = minutes(perHistory * (runs - historiesDone));
        if (!values.quiet || /(losses|doubles|mismatches|dead letters|given up) [1-9]/.test(line))
          console.log(`[${historiesDone}/${runs}] seed ${current.seed} ${line} (ETA ${eta})`);
      },
    });
    state[current.seed] = figures;
    saveState(state);
    if (violations(figures) > 0) failed = current;
  } catch (error) {
    console.error(`chaos chunk with seed ${current.seed} failed: ${(error as Error).message}`);
    failed = current;
  } finally {
    await engine.stop();
  }
  if (failed) break;
}

const figures = total(plan.flatMap((c) => (state[c.seed] ? [state[c.seed] as ChaosFigures] : [])));
for (const [name, value] of Object.entries(figures)) console.log(`${name.padEnd(24)} ${value}`);
console.log(`wall time of this invocation: ${minutes(Date.now() - started)}`);
if (failed) {
  console.log(
    `FAILED: replay the chunk with --runs ${failed.runs} --chunk ${failed.runs} --seed ${failed.seed} --fresh`,
  );
  process.exit(1);
}
console.log(`held: losses 0, doubles 0, statistics mismatches 0 over ${figures.runs} histories`);
