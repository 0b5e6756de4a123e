import { DEFAULT_FEED_LIMIT } from '../../lambda/shared/contract/limits.ts';
import { type Command, JSON_OPTION, listJson, onePositional, positiveInt, write } from './command-line.ts';
import { profileClient } from './operations.ts';

/** `tpi feed USER`: the user's activities, newest first, through the read API. */
export const feedCommand: Command = {
  summary: "show a user's activities, newest first",
  usage: 'tpi feed USER [--limit N] [--cursor C] [--type DETAIL_TYPE] [--token JWT] [--json]',
  options: {
    ...JSON_OPTION,
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
};
