import { beforeAll, describe, expect, it } from 'vitest';
import { ProfileApiError, ProfileClient } from '../../lambda/client/index.ts';
import { fresh } from '../support/events.ts';
import { checkIn, conforms, finalized, putStatsItems, sharedApiStack, statsItem } from './support.ts';

const [winner, loser, tournament] = [fresh('win'), fresh('lose'), fresh('t')];
const api = sharedApiStack([finalized(tournament, winner, loser, 1), checkIn(tournament, winner, 2)]);
const sentHeaders: Headers[] = [];
let client: ProfileClient;

beforeAll(() => {
  client = new ProfileClient({
    baseUrl: api.stack.apiUrl,
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
    region: 'eu-west-1',
    fetch: (input, init) => {
      sentHeaders.push(new Headers(init?.headers));
      return fetch(input, init);
    },
  });
});

describe('ProfileClient against the local API', () => {
  it('signs every request with SigV4 for execute-api in its region', async () => {
    await client.stats(winner);
    const authorization = sentHeaders.at(-1)?.get('authorization') ?? '';
    expect(authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDLOCAL\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/,
    );
    expect(sentHeaders.at(-1)?.get('x-amz-date')).toMatch(/^\d{8}T\d{6}Z$/);
  });

  it('reads statistics that conform to the OpenAPI document, then learns from the ETag that nothing changed', async () => {
    const first = await client.stats(winner);
    if (first.notModified) throw new Error('expected a body');
    conforms('ProfileStats', first.stats);
    expect(first.stats).toMatchObject({ userId: winner, matchesWon: 1, winRate: 1 });
    const second = await client.stats(winner, { ifNoneMatch: first.etag });
    expect(second).toEqual({ notModified: true, etag: first.etag });
  });

  it('pages a feed and reads a batch, both conforming to the document', async () => {
    const page = await client.feed(winner, { limit: 1 });
    conforms('FeedPage', page);
    const rest = await client.feed(winner, { limit: 5, cursor: page.nextCursor });
    conforms('FeedPage', rest);
    expect([...page.items, ...rest.items].map((i) => i.detailType)).toEqual([
      'CheckInToggled',
      'MatchFinalized',
    ]);
    const batch = await client.statsMany([winner, loser, fresh('none')]);
    conforms('StatsBatch', { items: batch });
    expect(batch.map((s) => s.matchesPlayed)).toEqual([1, 1, 0]);
  });

  it('reads one game, the list of games with its ETag and a batch for one game, all conforming to the document', async () => {
    // Prepare: the winner's statistics in one game, as the statistics projector stores them
    const valorant = {
      gameId: 'valorant',
      matchesWon: 1,
      matchesPlayed: 1,
      activityCount: 2,
      currentWinStreak: 1,
      longestWinStreak: 1,
      recentResults: ['W'],
    };
    await putStatsItems(api.stack, [statsItem(winner, 'GAME#valorant', valorant)]);

    // Act
    const game = await client.stats(winner, { gameId: 'valorant' });
    const games = await client.games(winner);
    const unchanged = games.notModified ? games : await client.games(winner, { ifNoneMatch: games.etag });
    const batch = await client.statsMany([winner, loser], { gameId: 'valorant' });

    // Assess
    if (game.notModified || games.notModified) throw new Error('expected bodies');
    conforms('GameStats', game.stats);
    expect(game.stats).toMatchObject({ userId: winner, ...valorant, winRate: 1 });
    conforms('GameStatsList', { items: games.games });
    expect(games.games).toEqual([game.stats]);
    expect(unchanged).toEqual({ notModified: true, etag: games.etag });
    conforms('StatsBatch', { items: batch });
    expect(batch.map((s) => [s.userId, s.gameId, s.matchesPlayed])).toEqual([
      [winner, 'valorant', 1],
      [loser, 'valorant', 0],
    ]);
  });

  it('throws ProfileApiError with the status and code of a refusal', async () => {
    const error = await client.feed(winner, { cursor: 'forged' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProfileApiError);
    expect(error).toMatchObject({ status: 400, code: 'InvalidCursor' });
    const unsigned = new ProfileClient({ baseUrl: api.stack.apiUrl });
    await expect(unsigned.stats(winner)).rejects.toMatchObject({ status: 403, code: 'Forbidden' });
  });
});
