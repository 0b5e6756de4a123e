/** `tpi`: the operator CLI (see docs/cli.md). */
import { main } from './cli/main.ts';

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
});
