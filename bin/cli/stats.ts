import { asJson, type Command, JSON_OPTION, onePositional, write } from './command-line.ts';
import { profileClient } from './operations.ts';

/** `tpi stats USER`: the user's profile statistics, through the read API. */
export const statsCommand: Command = {
  summary: "show a user's profile statistics",
  usage: 'tpi stats USER [--token JWT] [--json]',
  options: { ...JSON_OPTION, token: { type: 'string' } },
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
};
