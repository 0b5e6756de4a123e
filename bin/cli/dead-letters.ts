import {
  asJson,
  type Command,
  JSON_OPTION,
  listJson,
  onePositional,
  positiveInt,
  write,
} from './command-line.ts';
import { UsageError } from './errors.ts';
import { listDeadLetterPage, redrive } from './operations.ts';

/** `tpi dead-letters list|redrive`. */
export const deadLettersCommand: Command = {
  summary: 'list dead letters, or publish them again',
  usage: `tpi dead-letters list [--limit N] [--cursor C] [--json]
tpi dead-letters redrive [--id ID] [--json]

redrive publishes each original event to the bus again and deletes the dead letter once the bus
accepted it; an event that is still invalid comes back as a dead letter.`,
  options: { ...JSON_OPTION, id: { type: 'string' }, limit: { type: 'string' }, cursor: { type: 'string' } },
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
};
