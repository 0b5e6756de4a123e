import { DETAIL_TYPES } from '../../lambda/shared/contract/event-types.ts';
import { DEFAULT_FEED_LIMIT, MAX_FEED_LIMIT } from '../../lambda/shared/contract/limits.ts';
import { type Command, JSON_OPTION, listJson, onePositional, positiveInt, write } from './command-line.ts';
import { UsageError } from './errors.ts';
import { profileClient } from './operations.ts';

/** `--limit`, within the API's page sizes: refused here rather than by the server. */
function feedLimit(value: unknown): number {
  const limit = positiveInt(value, '--limit') ?? DEFAULT_FEED_LIMIT;
  if (limit > MAX_FEED_LIMIT)
    throw new UsageError(
      `--limit must be 1-${MAX_FEED_LIMIT} (the read API's largest page), got ${limit}: page with --cursor`,
    );
  return limit;
}

/** `--type`, one of the contract's event types. */
function feedType(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const type = String(value);
  if (!(DETAIL_TYPES as readonly string[]).includes(type))
    throw new UsageError(`--type must be one of ${DETAIL_TYPES.join(', ')}; got "${type}"`);
  return type;
}

/** `tpi feed USER`: the user's activities, newest first, through the read API. */
export const feedCommand: Command = {
  summary: "show a user's activities, newest first",
  usage: `tpi feed USER [--limit 1-${MAX_FEED_LIMIT}] [--cursor C] [--type DETAIL_TYPE] [--token JWT] [--json]

Reads the user's activities newest first (GET /users/{userId}/activities), one page at a time.
  --limit N         activities per page, 1-${MAX_FEED_LIMIT} (default ${DEFAULT_FEED_LIMIT})
  --cursor C        the next page: the cursor the previous page printed (none after the last page)
  --type T          only one event type: ${DETAIL_TYPES.join(', ')}
  --token JWT       a bearer token, when the read API authorizes with JWTs (otherwise requests are signed)
  --json            the API's JSON as it answered`,
  options: {
    ...JSON_OPTION,
    limit: { type: 'string' },
    cursor: { type: 'string' },
    type: { type: 'string' },
    token: { type: 'string' },
  },
  async run(connect, positionals, values, io) {
    const user = onePositional(positionals, 'USER');
    const limit = feedLimit(values.limit);
    const type = feedType(values.type);
    const client = await profileClient(await connect(), values.token as string | undefined);
    const page = await client.feed(user, { limit, cursor: values.cursor as string | undefined, type });
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
