/**
 * Runs the chaos property over the whole local pipeline on a DynamoDB Local of its own and prints
 * the figures. Usage: npm run chaos -- [--runs N] [--seed S] [--quiet]
 */
import { parseArgs } from 'node:util';

// Set before the handlers load: their logger and metrics read the environment once.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
const { startDynamoDbLocal } = await import('../infra/local/dynamodb-local.ts');
const { runChaos } = await import('../test/reliability/chaos.ts');

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '50' },
    seed: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) {
  console.error('usage: npm run chaos -- [--runs N] [--seed S]: N a positive whole number, S a whole number');
  process.exit(2);
}

const engine = await startDynamoDbLocal();
let code = 0;
try {
  console.log(`chaos: ${runs} runs, seed ${seed} (replay with --seed ${seed})`);
  const figures = await runChaos({
    dynamodbEndpoint: engine.endpoint,
    runs,
    seed,
    log: values.quiet ? undefined : (line) => console.log(line),
  });
  for (const [name, value] of Object.entries(figures)) console.log(`${name.padEnd(24)} ${value}`);
  const bad =
    figures.losses + figures.doubles + figures.statsMismatches + figures.missingDeadLetters + figures.givenUp;
  console.log(bad === 0 ? 'held: losses 0, doubles 0' : `FAILED: ${bad} violations`);
  code = bad === 0 ? 0 : 1;
} catch (error) {
  console.error(`chaos property failed: ${(error as Error).message}`);
  code = 1;
} finally {
  await engine.stop();
}
process.exit(code);
