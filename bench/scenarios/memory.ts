import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleLikeLambda } from '../lib/bundle.ts';
import { progress } from '../lib/progress.ts';
import { BUILD_DIR } from './cold-start.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Peak memory of one recording process. */
export interface MemoryResult {
  readonly mode: 'ours' | 'raw';
  readonly events: number;
  readonly ms: number;
  readonly rssBeforeBytes: number;
  readonly peakRssBytes: number;
}

/**
 * Measures 6: peak RSS of a process recording N events through the handler, and of one issuing the
 * bare puts of the same activities. Both are bundled like a function and run with plain `node`, so
 * no TypeScript loader sits in the figure.
 */
export async function runMemory(
  endpoint: string,
  events: number,
  concurrency: number,
): Promise<MemoryResult[]> {
  mkdirSync(BUILD_DIR, { recursive: true });
  const outfile = join(BUILD_DIR, 'recording-memory.mjs');
  await bundleLikeLambda(join(ROOT, 'bench', 'workers', 'recording-memory.ts'), outfile);
  return (['raw', 'ours'] as const).map((mode) => {
    progress(`memory: ${events} events, ${mode}, concurrency ${concurrency}, own process`);
    const run = spawnSync(process.execPath, [outfile, endpoint, mode, String(events), String(concurrency)], {
      encoding: 'utf8',
      env: {
        ...process.env,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        POWERTOOLS_METRICS_DISABLED: 'true',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      timeout: 600_000,
      maxBuffer: 1 << 20,
    });
    if (run.status !== 0)
      throw new Error(
        `memory run (${mode}) failed with exit ${run.status}: ${run.stderr.trim().slice(-2000)}`,
      );
    return JSON.parse(run.stdout) as MemoryResult;
  });
}
