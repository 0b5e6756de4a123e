import type { GameProfileView, ProfileView } from '../../lambda/read-api/index.ts';
import { ID_PATTERN } from '../../lambda/shared/contract/keys.ts';
import {
  asJson,
  type Command,
  type Io,
  JSON_OPTION,
  listJson,
  onePositional,
  write,
} from './command-line.ts';
import { UsageError } from './errors.ts';
import { profileClient } from './operations.ts';

/** A field's value as the text output shows it: lists as their items, nothing as `-`. */
function shown(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.join(' ');
  return value === null || value === undefined ? '-' : String(value);
}

/** The columns of `tpi stats USER --games`, one row per game. */
const GAME_COLUMNS: readonly [string, (game: GameProfileView) => unknown][] = [
  ['game', (g) => g.gameId],
  ['played', (g) => g.matchesPlayed],
  ['won', (g) => g.matchesWon],
  ['lost', (g) => g.matchesLost],
  ['drawn', (g) => g.matchesDrawn],
  ['win rate', (g) => `${Math.round(g.winRate * 100)}%`],
  ['streak', (g) => g.currentWinStreak],
  ['longest', (g) => g.longestWinStreak],
  ['recent', (g) => g.recentResults.join('') || '-'],
  ['tourn.', (g) => g.tournamentsPlayed],
  ['t. won', (g) => g.tournamentsWon],
  ['activities', (g) => g.activityCount],
  ['last activity', (g) => g.lastActivityAt],
];

function writeGames(io: Io, games: readonly GameProfileView[]): void {
  if (games.length === 0) {
    write(io, '(no games)');
    return;
  }
  const rows = [
    GAME_COLUMNS.map(([title]) => title),
    ...games.map((g) => GAME_COLUMNS.map(([, c]) => shown(c(g)))),
  ];
  const widths = GAME_COLUMNS.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  for (const row of rows)
    write(
      io,
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    );
}

function writeStats(io: Io, stats: ProfileView): void {
  for (const [key, value] of Object.entries(stats)) write(io, `${key.padEnd(18)} ${shown(value)}`);
}

/** `--game`'s id, checked as the contract spells ids before anything is asked of the API. */
function gameOption(value: unknown, games: boolean): string | undefined {
  if (value === undefined) return undefined;
  if (games) throw new UsageError('use either --game G (one game) or --games (every game), not both');
  const gameId = String(value);
  if (!ID_PATTERN.test(gameId))
    throw new UsageError(`--game must be an id of 1-64 characters from A-Z a-z 0-9 _ . -, got "${gameId}"`);
  return gameId;
}

/** `tpi stats USER`: the user's profile statistics, overall, in one game or per game, through the read API. */
export const statsCommand: Command = {
  summary: "show a user's profile statistics, overall, in one game (--game) or per game (--games)",
  usage: `tpi stats USER [--game G | --games] [--token JWT] [--json]

Reads the statistics the stream projector keeps (GET /users/{userId}/stats): matches played, won,
lost and drawn, win rate, current and longest win streak, the last five results (newest first),
tournaments played and won, activity count and last activity.
  --game G     the same statistics in one game (zeros for a game the user has nothing in)
  --games      one row per game the user played, sorted by game id
  --token JWT  a bearer token, when the read API authorizes with JWTs (otherwise requests are signed)
  --json       the API's JSON as it answered`,
  options: {
    ...JSON_OPTION,
    token: { type: 'string' },
    game: { type: 'string' },
    games: { type: 'boolean' },
  },
  async run(connect, positionals, values, io) {
    const user = onePositional(positionals, 'USER');
    const gameId = gameOption(values.game, values.games === true);
    const client = await profileClient(await connect(), values.token as string | undefined);
    if (values.games) {
      const result = await client.games(user);
      if (result.notModified) throw new Error('the API answered 304 to a request without If-None-Match');
      if (values.json) listJson(io, { items: result.games });
      else writeGames(io, result.games);
      return 0;
    }
    const result = await client.stats(user, { gameId });
    if (result.notModified) throw new Error('the API answered 304 to a request without If-None-Match');
    if (values.json) asJson(io, result.stats);
    else writeStats(io, result.stats);
    return 0;
  },
};
