import {
  asJson,
  type Command,
  type Io,
  JSON_OPTION,
  listJson,
  onePositional,
  positiveInt,
  write,
} from './command-line.ts';
import { type DiscardSelection, describeDiscard, discardDeadLetters } from './discard.ts';
import { UsageError } from './errors.ts';
import { listDeadLetterPage, parseInstant, redrive } from './operations.ts';
import type { Target } from './target.ts';

type Values = Record<string, unknown>;

/** Options that belong to one action only, refused with the others. */
const ACTION_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  list: ['limit', 'cursor'],
  redrive: ['id'],
  discard: ['id', 'all-invalid', 'older-than'],
};

function refuseForeignOptions(action: string, values: Values): void {
  for (const option of new Set(Object.values(ACTION_OPTIONS).flat())) {
    if (values[option] === undefined || ACTION_OPTIONS[action]?.includes(option)) continue;
    const owners = Object.keys(ACTION_OPTIONS).filter((a) => ACTION_OPTIONS[a]?.includes(option));
    throw new UsageError(`--${option} belongs to ${owners.join(' or ')}, not ${action}`);
  }
}

async function list(target: () => Promise<Target>, values: Values, io: Io): Promise<number> {
  const limit = positiveInt(values.limit, '--limit');
  const page = await listDeadLetterPage(await target(), {
    limit,
    cursor: values.cursor as string | undefined,
  });
  if (values.json) listJson(io, page);
  else {
    if (page.items.length === 0) write(io, '(no dead letters)');
    for (const l of page.items)
      write(
        io,
        `${l.deadLetterId}  ${l.kind}  ${l.detailType ?? '-'}  ${l.storedAt}\n    ${l.reasons.join('\n    ')}`,
      );
    if (page.nextCursor) write(io, `more: --cursor ${page.nextCursor}`);
  }
  return 0;
}

async function redriveAction(target: () => Promise<Target>, values: Values, io: Io): Promise<number> {
  const results = await redrive(await target(), values.id as string | undefined);
  if (values.json) asJson(io, results);
  else {
    if (results.length === 0) write(io, '(no dead letters)');
    for (const r of results)
      write(io, `${r.status.padEnd(9)} ${r.deadLetterId}${r.reason ? `: ${r.reason}` : ''}`);
  }
  return results.some((r) => r.status === 'failed') ? 1 : 0;
}

/** `--id ID`, or `--all-invalid [--older-than AGE|TIME]`: never both, never neither. */
function discardSelection(values: Values): DiscardSelection {
  const id = values.id as string | undefined;
  if (id !== undefined && values['all-invalid'] !== undefined)
    throw new UsageError('discard takes --id ID or --all-invalid, not both');
  if (id !== undefined) {
    if (values['older-than'] !== undefined) throw new UsageError('--older-than goes with --all-invalid');
    return { id };
  }
  if (values['all-invalid'] !== true)
    throw new UsageError('say which: --id ID (one dead letter) or --all-invalid [--older-than 30d]');
  const olderThan = values['older-than'] as string | undefined;
  return { allInvalid: true, storedBefore: olderThan ? parseInstant(olderThan, '--older-than') : undefined };
}

async function discard(target: () => Promise<Target>, values: Values, io: Io): Promise<number> {
  const results = await discardDeadLetters(await target(), discardSelection(values));
  if (values.json) asJson(io, results);
  else {
    if (results.length === 0) write(io, '(no dead letters match)');
    for (const result of results) write(io, describeDiscard(result));
    const discarded = results.filter((r) => r.status === 'discarded').length;
    if (discarded > 0)
      write(io, `${discarded} discarded: only the dead letters are gone, the events stay in the bus archive`);
  }
  return 0;
}

const ACTIONS = { list, redrive: redriveAction, discard } as const;

/** `tpi dead-letters list|redrive|discard`. */
export const deadLettersCommand: Command = {
  summary: 'list dead letters, publish them again, or discard them (the events stay archived)',
  usage: `tpi dead-letters list [--limit N] [--cursor C] [--json]
tpi dead-letters redrive [--id ID] [--json]
tpi dead-letters discard --id ID [--json]
tpi dead-letters discard --all-invalid [--older-than AGE|TIME] [--json]

list      rejected (kind invalid) and undeliverable (kind delivery-failed) events with their
          reasons, oldest first.
redrive   publishes each original event to the bus again and deletes the dead letter once the bus
          accepted it; an event that is still invalid comes back as a dead letter.
discard   deletes dead letters you have judged, without publishing anything: one by --id, or
          every invalid one (--all-invalid), only those stored before --older-than when given
          (an age such as 30d, 12h, or an ISO-8601 time). The event stays in the bus archive for
          the archive's retention (30 days by default; locally as long as the data folder): each
          line says until when, and the \`tpi replay\` window that brings it back.`,
  options: {
    ...JSON_OPTION,
    id: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
    'all-invalid': { type: 'boolean' },
    'older-than': { type: 'string' },
  },
  async run(connect, positionals, values, io) {
    const action = onePositional(positionals, 'action: list, redrive or discard');
    if (!Object.hasOwn(ACTIONS, action))
      throw new UsageError(`unknown action ${action}: use list, redrive or discard`);
    refuseForeignOptions(action, values);
    return ACTIONS[action as keyof typeof ACTIONS](connect, values, io);
  },
};
