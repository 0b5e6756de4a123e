import { parseArgs } from 'node:util';
import { auditStatistics } from '../../lambda/adapters/audit-store.ts';
import { parseFlag } from '../../lambda/domain/flag.ts';
import { DEFAULT_FEED_LIMIT } from '../../lambda/domain/profile-api.ts';
import {
  getFlag,
  type ListPage,
  listDeadLetterPage,
  parseInstant,
  profileClient,
  redrive,
  replay,
  setFlag,
  UsageError,
} from './commands.ts';
import { publish } from './publish.ts';
import { restoreFlagValue, rolloutCommand, stopRolloutForManualChange } from './rollout.ts';
import { smoke } from './smoke.ts';
import { resolveTarget, type Target, TargetError } from './target.ts';

const TARGET_HELP = `Target (default: the local stack started by \`npm start\`):
  --endpoint URL            local endpoint (default http://127.0.0.1:4010)
  --dynamodb-endpoint URL   DynamoDB endpoint (default: asked from the local stack)
  --stack NAME              a deployed stack, found through its CloudFormation outputs
  --region R                region of the deployed stack`;

interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly options: NonNullable<Parameters<typeof parseArgs>[0]>['options'];
  /** `connect` resolves the target; commands check their arguments first, so usage errors exit 2. */
  run(
    connect: () => Promise<Target>,
    positionals: string[],
    values: Record<string, unknown>,
    io: Io,
  ): Promise<number>;
}

/** Where the CLI writes. */
export interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream;
}

const json = { json: { type: 'boolean' } } as const;
const write = (io: Io, text: string) => io.stdout.write(`${text}\n`);
const asJson = (io: Io, data: unknown) => write(io, JSON.stringify(data, null, 2));
/** Every list prints one shape: `{ items, nextCursor }`, `nextCursor` null on the last page. */
const listJson = <T>(io: Io, page: { items: readonly T[]; nextCursor?: string | null | undefined }) =>
  asJson(io, { items: page.items, nextCursor: page.nextCursor ?? null } satisfies ListPage<T>);

function positiveInt(value: unknown, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${option} must be a whole number ≥ 1, got "${value}"`);
  return n;
}

function onePositional(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`expected exactly one ${what}`);
  return positionals[0] as string;
}

const COMMANDS: Record<string, Command> = {
  publish: {
    summary: 'publish events from a file (backfill)',
    usage: `tpi publish FILE|- [--rate N] [--resume-from N] [--json]

Reads a JSON array or JSON Lines: each record is {detailType, detail}, a PutEvents entry
{Source, DetailType, Detail} or an EventBridge event. Streams any size in constant memory, resends
retryable per-entry failures, prints progress with an ETA on stderr and a failure summary.
  --rate N          at most N events per second
  --resume-from N   skip records before number N (line number, or array element from 1)`,
    options: { ...json, rate: { type: 'string' }, 'resume-from': { type: 'string' } },
    async run(connect, positionals, values, io) {
      const file = onePositional(positionals, 'FILE (or - for standard input)');
      const rate = positiveInt(values.rate, '--rate');
      const resumeFrom = positiveInt(values['resume-from'], '--resume-from');
      const report = await publish(await connect(), {
        file,
        rate,
        resumeFrom,
        stdin: io.stdin,
        stderr: io.stderr,
      });
      if (values.json) asJson(io, report);
      else {
        write(
          io,
          `${report.accepted} accepted, ${report.failed} failed, ${report.skipped} skipped in ${report.seconds.toFixed(1)}s`,
        );
        for (const [code, count] of Object.entries(report.failuresByCode)) write(io, `  ${code}: ${count}`);
        for (const f of report.firstFailures)
          write(io, `  record ${f.number}: ${f.errorCode} ${f.errorMessage}`);
        if (report.lowestFailed !== undefined)
          write(
            io,
            `fix the cause, then resend with --resume-from ${report.lowestFailed} (resending is safe)`,
          );
      }
      return report.failed > 0 ? 1 : 0;
    },
  },
  flag: {
    summary: 'read or set the rollout flag',
    usage: `tpi flag get [--json]
tpi flag set off|on|N [--json]     N: percentage of users 1-99 (stops a running rollout)
tpi flag restore [--json]          put back the value the last automatic rollback saved`,
    options: json,
    async run(connect, positionals, values, io) {
      const [action, value, ...rest] = positionals;
      if (action === 'restore' && value === undefined && rest.length === 0) {
        const restored = await restoreFlagValue(await connect());
        if (values.json) asJson(io, restored);
        else
          write(io, `${restored.parameterName} = ${restored.value} (restored from ${restored.restoredFrom})`);
        return 0;
      }
      if (
        rest.length > 0 ||
        !(action === 'get' ? value === undefined : action === 'set' && value !== undefined)
      )
        throw new UsageError('expected `flag get` or `flag set VALUE`');
      const setting = action === 'set' ? parseFlag(value as string) : undefined;
      if (setting?.mode === 'off' && setting.misconfigured)
        throw new UsageError(
          `flag value must be off, on, false, true, 0, 100 or a percentage 1-99, got "${value}"`,
        );
      const target = await connect();
      if (action === 'set') await stopRolloutForManualChange(values, value as string, io);
      const report = action === 'get' ? await getFlag(target) : await setFlag(target, value as string);
      if (values.json) asJson(io, report);
      else
        write(
          io,
          `${report.parameterName} = ${report.value} (${report.misconfigured ? 'misconfigured: treated as off' : report.mode === 'percentage' ? `${report.percentage}% of users` : report.mode})`,
        );
      return 0;
    },
  },
  rollout: rolloutCommand,
  stats: {
    summary: "show a user's profile statistics",
    usage: 'tpi stats USER [--token JWT] [--json]',
    options: { ...json, token: { type: 'string' } },
    async run(connect, positionals, values, io) {
      const user = onePositional(positionals, 'USER');
      const client = await profileClient(await connect(), values.token as string | undefined);
      const result = await client.stats(user);
      if (result.notModified) throw new Error('the API answered 304 to a request without If-None-Match');
      const { stats } = result;
      if (values.json) asJson(io, stats);
      else for (const [key, value] of Object.entries(stats)) write(io, `${key.padEnd(18)} ${value ?? '-'}`);
      return 0;
    },
  },
  feed: {
    summary: "show a user's activities, newest first",
    usage: 'tpi feed USER [--limit N] [--cursor C] [--type DETAIL_TYPE] [--token JWT] [--json]',
    options: {
      ...json,
      limit: { type: 'string' },
      cursor: { type: 'string' },
      type: { type: 'string' },
      token: { type: 'string' },
    },
    async run(connect, positionals, values, io) {
      const user = onePositional(positionals, 'USER');
      const limit = positiveInt(values.limit, '--limit') ?? DEFAULT_FEED_LIMIT;
      const client = await profileClient(await connect(), values.token as string | undefined);
      const page = await client.feed(user, {
        limit,
        cursor: values.cursor as string | undefined,
        type: values.type as string | undefined,
      });
      if (values.json) listJson(io, page);
      else {
        if (page.items.length === 0) write(io, '(no activities)');
        for (const item of page.items)
          write(io, `${item.occurredAt}  ${item.activityType.padEnd(44)} ${item.idempotencyKey}`);
        if (page.nextCursor) write(io, `more: --cursor ${page.nextCursor}`);
      }
      return 0;
    },
  },
  'dead-letters': {
    summary: 'list dead letters, or publish them again',
    usage: `tpi dead-letters list [--limit N] [--cursor C] [--json]
tpi dead-letters redrive [--id ID] [--json]

redrive publishes each original event to the bus again and deletes the dead letter once the bus
accepted it; an event that is still invalid comes back as a dead letter.`,
    options: { ...json, id: { type: 'string' }, limit: { type: 'string' }, cursor: { type: 'string' } },
    async run(connect, positionals, values, io) {
      const action = onePositional(positionals, 'action: list or redrive');
      if (action === 'list') {
        if (values.id !== undefined) throw new UsageError('--id belongs to redrive');
        const limit = positiveInt(values.limit, '--limit');
        const page = await listDeadLetterPage(await connect(), {
          limit,
          cursor: values.cursor as string | undefined,
        });
        const letters = page.items;
        if (values.json) listJson(io, page);
        else {
          if (letters.length === 0) write(io, '(no dead letters)');
          for (const l of letters)
            write(
              io,
              `${l.deadLetterId}  ${l.kind}  ${l.detailType ?? '-'}  ${l.storedAt}\n    ${l.reasons.join('\n    ')}`,
            );
          if (page.nextCursor) write(io, `more: --cursor ${page.nextCursor}`);
        }
        return 0;
      }
      if (action !== 'redrive') throw new UsageError(`unknown action ${action}: use list or redrive`);
      if (values.limit !== undefined || values.cursor !== undefined)
        throw new UsageError('--limit and --cursor belong to list');
      const results = await redrive(await connect(), values.id as string | undefined);
      if (values.json) asJson(io, results);
      else {
        if (results.length === 0) write(io, '(no dead letters)');
        for (const r of results)
          write(io, `${r.status.padEnd(9)} ${r.deadLetterId}${r.reason ? `: ${r.reason}` : ''}`);
      }
      return results.some((r) => r.status === 'failed') ? 1 : 0;
    },
  },
  replay: {
    summary: 'replay archived events of a time window',
    usage: `tpi replay --from T --to T [--name NAME] [--json]

T: ISO-8601 (2026-05-01T12:00:00Z), now, or an age (30m, 2h, 7d: that long ago). Replays the bus archive (locally
the stack's archive file) onto the bus and waits for it to finish. Safe: recording is idempotent.`,
    options: { ...json, from: { type: 'string' }, to: { type: 'string' }, name: { type: 'string' } },
    async run(connect, positionals, values, io) {
      if (positionals.length > 0 || values.from === undefined || values.to === undefined)
        throw new UsageError('replay needs --from and --to');
      const from = parseInstant(values.from as string, '--from');
      const to = parseInstant(values.to as string, '--to');
      if (from >= to) throw new UsageError('--from must be before --to');
      const report = await replay(await connect(), from, to, { name: values.name as string | undefined });
      if (values.json) asJson(io, report);
      else
        write(
          io,
          `replay ${report.replayName}: ${report.state}${report.reason ? ` (${report.reason})` : ''}`,
        );
      return report.state === 'COMPLETED' ? 0 : 1;
    },
  },
  audit: {
    summary: 'check statistics against the activities, optionally repair',
    usage: `tpi audit [--user USER] [--repair] [--json]

Recomputes each user's statistics from their activities by the contract's definition and compares.
Activities the projection has not applied yet are reported as pending, not as drift. --repair
rewrites drifted statistics (safe while the projection runs). Exit 1 when drift remains.`,
    options: { ...json, user: { type: 'string' }, repair: { type: 'boolean' } },
    async run(connect, positionals, values, io) {
      if (positionals.length > 0) throw new UsageError('audit takes no arguments (use --user USER)');
      const target = await connect();
      let lastProgress = 0;
      const report = await auditStatistics({
        client: target.doc,
        activityTable: target.tables.activities,
        statsTable: target.tables.stats,
        userId: values.user as string | undefined,
        repair: values.repair === true,
        onProgress: (p) => {
          if (Date.now() - lastProgress < 1000) return;
          lastProgress = Date.now();
          const share = p.approximateItems ? ` of ~${p.approximateItems} items` : '';
          io.stderr.write(
            `audit: ${p.usersChecked} users, ${p.itemsScanned} items${share}, ${p.drifted} drifted\n`,
          );
        },
      });
      if (values.json) asJson(io, report);
      else {
        write(
          io,
          `${report.usersChecked} users checked, ${report.drifted.length} drifted, ${report.repaired} repaired, ` +
            `${report.usersWithPending} with activities still pending`,
        );
        for (const d of report.drifted)
          write(
            io,
            `  ${d.userId}: ${[...d.driftedFields, ...d.driftedSlots].join(', ')}${d.repaired ? ' (repaired)' : ''}`,
          );
        if (report.drifted.length > report.repaired)
          write(io, 'run again with --repair to fix the drifted users');
      }
      return report.drifted.length > report.repaired ? 1 : 0;
    },
  },
  smoke: {
    summary: 'publish a small tournament and check it is recorded once',
    usage: 'tpi smoke [--timeout SECONDS] [--json]',
    options: { ...json, timeout: { type: 'string' } },
    async run(connect, positionals, values, io) {
      if (positionals.length > 0) throw new UsageError('smoke takes no arguments');
      const timeoutSeconds = positiveInt(values.timeout, '--timeout') ?? 60;
      const steps = await smoke(await connect(), { timeoutSeconds });
      const ok = steps.every((s) => s.ok);
      if (values.json) asJson(io, { ok, steps });
      else for (const s of steps) write(io, `${s.ok ? 'pass' : 'FAIL'}  ${s.step.padEnd(11)} ${s.detail}`);
      return ok ? 0 : 1;
    },
  },
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
