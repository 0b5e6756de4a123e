/**
 * Runs the whole suite next to a process that keeps one core busy, as a loaded CI machine or a
 * developer's laptop would, and prints each run's wall time. A test that only passes on an idle
 * machine fails here. Usage: npm run test:contended -- [--runs N] [vitest arguments...]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  options: { runs: { type: 'string', default: '1' } },
  allowPositionals: true,
  strict: false,
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error('usage: npm run test:contended -- [--runs N] [vitest arguments]: N a positive whole number');
  process.exit(2);
}

/** A process that spins on one core until it is killed. */
function startHog(): ChildProcess {
  return spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
}

function runSuite(): Promise<number> {
  return new Promise((resolve) => {
    const vitest = spawn('npx', ['vitest', 'run', ...(positionals as string[])], { stdio: 'inherit' });
    vitest.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const results: { run: number; code: number; seconds: number }[] = [];
for (let run = 1; run <= runs; run += 1) {
  const hog = startHog();
  const started = Date.now();
  console.log(`contended run ${run} of ${runs}: the suite beside a process that keeps one core busy`);
  const code = await runSuite();
  hog.kill('SIGKILL');
  results.push({ run, code, seconds: Math.round((Date.now() - started) / 1000) });
}
for (const r of results)
  console.log(
    `contended run ${r.run}: ${r.code === 0 ? 'passed' : `FAILED (exit ${r.code})`} in ${r.seconds} s`,
  );
process.exit(results.every((r) => r.code === 0) ? 0 : 1);
