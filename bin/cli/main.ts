import { parseArgs } from 'node:util';

import { auditCommand } from './audit.ts';
import { type Command, type Io, write } from './command-line.ts';
import { deadLettersCommand } from './dead-letters.ts';
import { eraseCommand } from './erase.ts';
import { TargetError, UsageError } from './errors.ts';
import { feedCommand } from './feed.ts';
import { flagCommand } from './flag.ts';
import { publishCommand } from './publish.ts';
import { replayCommand } from './replay.ts';
import { rolloutCommand } from './rollout.ts';
import { smokeCommand } from './smoke.ts';
import { statsCommand } from './stats.ts';
import { resolveTarget, type Target } from './target.ts';

const TARGET_HELP = `Target (default: the local stack started by \`npm start\`):
  --endpoint URL            local endpoint (default http://127.0.0.1:4010)
  --dynamodb-endpoint URL   DynamoDB endpoint (default: asked from the local stack)
  --stack NAME              a deployed stack, found through its CloudFormation outputs
  --region R                region of the deployed stack`;

/** Every command, in the order the help lists them; each lives in its own module. */
const COMMANDS: Readonly<Record<string, Command>> = {
  publish: publishCommand,
  flag: flagCommand,
  rollout: rolloutCommand,
  erase: eraseCommand,
  stats: statsCommand,
  feed: feedCommand,
  'dead-letters': deadLettersCommand,
  replay: replayCommand,
  audit: auditCommand,
  smoke: smokeCommand,
};

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return `Usage: tpi COMMAND [options]   (tpi COMMAND --help for details)

Operates the tournament profile integration, locally or on a deployed stack.

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  .join('\n')}

${TARGET_HELP}

Exit codes: 0 ok, 1 failure, 2 usage error.`;
}

const GLOBAL_OPTIONS = {
  endpoint: { type: 'string' },
  'dynamodb-endpoint': { type: 'string' },
  stack: { type: 'string' },
  region: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * The command word and everything else, wherever the global options stand: `tpi --endpoint URL
 * stats U` and `tpi stats U --endpoint URL` are the same command. The command is the first word
 * that is neither an option nor the value of a global option that takes one.
 */
export function splitCommand(argv: readonly string[]): { name?: string; rest: string[]; help: boolean } {
  const takesValue = new Set(
    Object.entries(GLOBAL_OPTIONS)
      .filter(([, option]) => option.type === 'string')
      .map(([option]) => `--${option}`),
  );
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--') break;
    if (takesValue.has(arg)) {
      i += 1;
      continue;
    }
    if (arg.startsWith('-')) continue;
    return { name: arg, rest: [...argv.slice(0, i), ...argv.slice(i + 1)], help: false };
  }
  return { rest: [...argv], help: argv.includes('--help') || argv.includes('-h') };
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const { name, rest, help } = splitCommand(argv);
  if (name === undefined || name === 'help') {
    write(io, mainHelp());
    return name === undefined && !help ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`tpi: unknown command "${name}"\n\n${mainHelp()}\n`);
    return 2;
  }
  const commandHelp = `Usage: ${command.usage}\n\n${TARGET_HELP}`;
  let target: Target | undefined;
  try {
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({
        args: [...rest],
        options: { ...GLOBAL_OPTIONS, ...command.options },
        allowPositionals: true,
        strict: true,
      });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      write(io, commandHelp);
      return 0;
    }
    if (values.stack === undefined && values.region !== undefined)
      throw new UsageError('--region applies to --stack; the local stack needs none');
    if (
      values.stack !== undefined &&
      (values.endpoint !== undefined || values['dynamodb-endpoint'] !== undefined)
    )
      throw new UsageError('use either --stack or --endpoint/--dynamodb-endpoint, not both');
    const connect = async () => {
      target ??= await resolveTarget({
        endpoint: values.endpoint as string | undefined,
        dynamodbEndpoint: values['dynamodb-endpoint'] as string | undefined,
        stack: values.stack as string | undefined,
        region: values.region as string | undefined,
      });
      return target;
    };
    return await command.run(connect, positionals, values, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`tpi ${name}: ${error.message}\n\n${commandHelp}\n`);
      return 2;
    }
    const message =
      error instanceof TargetError ? error.message : `${(error as Error).name}: ${(error as Error).message}`;
    io.stderr.write(`tpi ${name}: ${message}\n`);
    return 1;
  } finally {
    target?.close();
  }
}
