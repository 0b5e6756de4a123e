import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BundleSize, bundleLikeLambda } from '../lib/bundle.ts';
import { progress } from '../lib/progress.ts';
import { median } from '../lib/stats.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Where bundles are written (ignored by git). */
export const BUILD_DIR = join(ROOT, 'bench', '.build');
const PROBE = join(ROOT, 'bench', 'workers', 'cold-probe.mjs');

/** The name of the reference bundle in the results. */
export const REFERENCE = 'reference: document client only';

/** Cold-start figures of one bundle (medians over the fresh processes). */
export interface ColdStartResult extends BundleSize {
  readonly name: string;
  readonly runs: number;
  /** Process start until the handler is ready: Node boot + module load + dependency init. */
  readonly readyMs: number;
  /** Module load alone (import of the bundle). */
  readonly loadMs: number;
  /** Building the handler's dependencies from its environment (clients, adapters). */
  readonly initMs: number;
  readonly initError?: string | undefined;
}

/** Environment a deployed function gets; the values only need to exist, nothing is called. */
const FUNCTION_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_SESSION_TOKEN: 'local',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  ACTIVITY_TABLE_NAME: 'Activities',
  STATS_TABLE_NAME: 'ProfileStats',
  DEAD_LETTER_TABLE_NAME: 'DeadLetters',
  FEED_CURSOR_KEY: 'bench-cursor-key-bench-cursor-key-bench',
  ERASURE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/erasures.fifo',
  ERASURE_SETTLE_SECONDS: '916',
  FLAG_PARAMETER_NAME: '/tournament-profile/integration-enabled',
  STOP_CONDITIONS_ALARM_NAME: 'TournamentProfileIntegration-StopConditions',
  ROLLOUT_STATE_PARAMETER_NAME: '/tournament-profile/integration-enabled/rollout-state',
  AUDIT_ALARM_NAME: 'TournamentProfileIntegration-AuditNotRunning',
  AUDIT_CURSOR_PARAMETER: '/tournament-profile/audit-cursor',
  POWERTOOLS_LOG_LEVEL: 'INFO',
};

interface ProbeOutput {
  readonly loadMs: number;
  readonly initMs: number;
  readonly readyMs: number;
  readonly initError?: string;
}

function probe(bundle: string): ProbeOutput {
  const run = spawnSync(process.execPath, [PROBE, bundle], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...FUNCTION_ENV },
    timeout: 30_000,
  });
  if (run.status !== 0)
    throw new Error(
      `cold-start probe of ${bundle} failed (exit ${run.status}): ${run.stderr.trim().slice(-2000)}`,
    );
  const output = JSON.parse(run.stdout) as ProbeOutput;
  // A builder that throws skips the init the deployed function does: the time would be too short.
  if (output.initError)
    throw new Error(
      `cold-start probe of ${bundle}: ${output.initError}. Add what the function's configuration reads to FUNCTION_ENV in bench/scenarios/cold-start.ts`,
    );
  return output;
}

/** Every Lambda entry point of the project: each feature's `handler.ts` or `*-handler.ts`. */
export function handlerEntries(): string[] {
  const lambda = join(ROOT, 'lambda');
  return readdirSync(lambda, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((feature) =>
      readdirSync(join(lambda, feature.name))
        .filter((f) => f === 'handler.ts' || f.endsWith('-handler.ts'))
        .map((f) => join(lambda, feature.name, f)),
    )
    .sort();
}

/** A handler's name in the results: its feature, then what the handler does (`erasure-request`). */
function nameOf(entry: string): string {
  const feature = basename(dirname(entry));
  const file = basename(entry, '.ts');
  return file === 'handler' ? feature : `${feature}-${file.slice(0, -'-handler'.length)}`;
}

/**
 * What a probe loads for one handler: the handler's module as deployed, plus the builder it calls
 * on its first invocation (its wiring's `…DependenciesFromEnv`), so the probe can time that too.
 * The bundle is the deployed one plus nothing: the handler already contains the builder.
 */
function probeEntry(handlerFile: string): string {
  const wiring = join(dirname(handlerFile), 'wiring.ts');
  const builders = [...readFileSync(handlerFile, 'utf8').matchAll(/\b(\w+DependenciesFromEnv)\b/g)].map(
    ([, name]) => name,
  );
  const entry = join(BUILD_DIR, 'entries', `${nameOf(handlerFile)}.ts`);
  mkdirSync(dirname(entry), { recursive: true });
  writeFileSync(
    entry,
    [
      `export { handler } from ${JSON.stringify(handlerFile)};`,
      ...(builders.length > 0
        ? [`export { ${[...new Set(builders)].join(', ')} } from ${JSON.stringify(wiring)};`]
        : []),
      '',
    ].join('\n'),
  );
  return entry;
}

/**
 * Measures 5: bundle size and time to a ready handler in fresh Node processes, for every handler and
 * for the reference. Runs go round-robin over the bundles so background noise spreads evenly.
 */
export async function runColdStart(runs: number): Promise<ColdStartResult[]> {
  mkdirSync(BUILD_DIR, { recursive: true });
  const targets = [
    { name: REFERENCE, entry: join(ROOT, 'bench', 'workers', 'reference-client.ts') },
    ...handlerEntries().map((entry) => ({ name: nameOf(entry), entry: probeEntry(entry) })),
  ];
  progress(`cold start: bundling ${targets.length} entries`);
  const bundles = await Promise.all(
    targets.map(async (t) => {
      const outfile = join(BUILD_DIR, `${t.name.replace(/[^a-z0-9-]+/gi, '-')}.mjs`);
      return { ...t, outfile, size: await bundleLikeLambda(t.entry, outfile) };
    }),
  );
  progress(`cold start: ${runs} fresh processes per bundle`);
  const samples = new Map<string, ProbeOutput[]>(bundles.map((b) => [b.name, []]));
  probe(bundles[0]?.outfile as string); // warms the file cache; not counted
  for (let i = 0; i < runs; i++) for (const b of bundles) samples.get(b.name)?.push(probe(b.outfile));
  return bundles.map((b) => {
    const s = samples.get(b.name) ?? [];
    return {
      name: b.name,
      ...b.size,
      runs: s.length,
      readyMs: median(s.map((x) => x.readyMs)),
      loadMs: median(s.map((x) => x.loadMs)),
      initMs: median(s.map((x) => x.initMs)),
      initError: s.find((x) => x.initError)?.initError,
    };
  });
}
