#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx tpi` works right after `npm ci` without a build step.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const entry = join(dirname(fileURLToPath(import.meta.url)), 'tpi.ts');
const result = spawnSync(process.execPath, ['--import', 'tsx', entry, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env },
});
if (result.error) {
  process.stderr.write(`tpi: cannot run node: ${result.error.message}\n`);
  process.exit(1);
}
process.exit(result.status ?? 1);
