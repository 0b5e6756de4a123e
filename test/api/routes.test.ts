import { describe, expect, inject, it } from 'vitest';

import { documentClient } from '../../lambda/shared/aws/dynamodb.ts';
import { DETAIL_TYPES } from '../../lambda/shared/contract/event-types.ts';
import { MAX_BATCH_USERS } from '../../lambda/shared/contract/limits.ts';
import { localDynamoClient } from '../../local/clients.ts';
import { startLocalProfileApi } from '../../local/read-api.ts';
import { fresh } from '../support/events.ts';
import { checkIn, finalized, get, publish, SIGNED, sharedApiStack } from './support.ts';

const [winner, loser, tournament] = [fresh('win'), fresh('lose'), fresh('t')];
const api = sharedApiStack([
  finalized(tournament, winner, loser, 1),
  checkIn(tournament, winner, 2),
  finalized(tournament, loser, winner, 3),
  checkIn(tournament, winner, 4),
  finalized(tournament, winner, loser, 5),
]);

describe('GET /users/{userId}/stats', () => {
  it('answers the contract fields with winRate and an ETag, and 304 while the ETag still matches', async () => {
    // Act and assess: the first read
    const first = await get(`${api.stack.apiUrl}/users/${winner}/stats`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      userId: winner,
      matchesWon: 2,
      matchesLost: 1,
      matchesDrawn: 0,
      tournamentsPlayed: 0,
      tournamentsWon: 0,
      matchesPlayed: 3,
      activityCount: 5,
      lastActivityAt: '2026-05-01T12:05:00.000Z',
      winRate: 2 / 3,
    });
    expect(Object.keys(first.body)).toEqual(expect.arrayContaining(['currentWinStreak', 'recentResults']));
    const etag = first.headers.get('etag') as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');

    // Act and assess: the same read with the ETag, nothing changed
    const again = await get(`${api.stack.apiUrl}/users/${winner}/stats`, {
      ...SIGNED,
      'if-none-match': etag,
    });
    expect(again.status).toBe(304);
    expect(again.body).toBeUndefined();

    // Act and assess: the same read with the ETag after a new activity
    await publish(api.stack, [checkIn(tournament, winner, 6)]);
    const changed = await get(`${api.stack.apiUrl}/users/${winner}/stats`, {
      ...SIGNED,
      'if-none-match': etag,
    });
    expect(changed.status).toBe(200);
    expect(changed.body.activityCount).toBe(6);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('answers zeros for a user with no activity', async () => {
    const { status, body } = await get(`${api.stack.apiUrl}/users/nobody-${fresh('x')}/stats`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ matchesPlayed: 0, activityCount: 0, lastActivityAt: null, winRate: 0 });
  });

  it('refuses an invalid user id with 400 and a JSON error naming the parameter', async () => {
    const { status, body } = await get(`${api.stack.apiUrl}/users/bad%23id/stats`);
    expect(status).toBe(400);
    expect(body.error.code).toBe('InvalidParameter');
    expect(body.error.message).toMatch(/^userId /);
  });

  it('refuses an unsigned request with 403 as API Gateway IAM authorization does', async () => {
    const { status, body } = await get(`${api.stack.apiUrl}/users/${winner}/stats`, {});
    expect(status).toBe(403);
    expect(body).toEqual({ message: 'Forbidden' });
  });
});

describe('GET /users/{userId}/activities', () => {
  it('pages newest first through signed cursors until the last page has none', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const query = `limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const { status, body } = await get(`${api.stack.apiUrl}/users/${winner}/activities?${query}`);
      expect(status).toBe(200);
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((i: { occurredAt: string }) => i.occurredAt));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(6);
    expect(seen).toEqual([...seen].sort().reverse());
  });

  it('filters by event type, across pages', async () => {
    const first = await get(`${api.stack.apiUrl}/users/${winner}/activities?type=MatchFinalized&limit=2`);
    expect(first.body.items.map((i: { detailType: string }) => i.detailType)).toEqual([
      'MatchFinalized',
      'MatchFinalized',
    ]);
    const next = await get(
      `${api.stack.apiUrl}/users/${winner}/activities?type=MatchFinalized&limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    expect(next.body.items).toHaveLength(1);
    expect(next.body.items[0]).toMatchObject({
      detailType: 'MatchFinalized',
      userId: winner,
      tournamentId: tournament,
    });
    expect(next.body.items[0]).toMatchObject({ role: 'winner', detailType: 'MatchFinalized' });
  });

  it('refuses a tampered, forged or foreign cursor with 400', async () => {
    const { body } = await get(`${api.stack.apiUrl}/users/${winner}/activities?limit=1`);
    const cursor = body.nextCursor as string;
    const [version, payload, signature] = cursor.split('.');
    const decoded = JSON.parse(Buffer.from(payload as string, 'base64url').toString());
    const edited = Buffer.from(JSON.stringify({ ...decoded, p: { ...decoded.p, feedKey: '9999' } })).toString(
      'base64url',
    );
    const forged = Buffer.from(JSON.stringify(decoded.p)).toString('base64url');
    for (const bad of [`${version}.${edited}.${signature}`, forged, `${cursor}x`]) {
      const refused = await get(
        `${api.stack.apiUrl}/users/${winner}/activities?cursor=${encodeURIComponent(bad)}`,
      );
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('InvalidCursor');
    }
    const foreign = await get(
      `${api.stack.apiUrl}/users/${loser}/activities?cursor=${encodeURIComponent(cursor)}`,
    );
    expect(foreign.status).toBe(400);
    const otherFilter = await get(
      `${api.stack.apiUrl}/users/${winner}/activities?type=CheckInToggled&cursor=${encodeURIComponent(cursor)}`,
    );
    expect(otherFilter.status).toBe(400);
  });

  it('gives a full last page no cursor: paging ends without an empty page', async () => {
    // Prepare: the winner has exactly six activities.
    const url = `${api.stack.apiUrl}/users/${winner}/activities`;
    const { body: all } = await get(`${url}?limit=100`);
    const count = all.items.length as number;

    // Act: one page of exactly all of them, and pages of half of them
    const whole = await get(`${url}?limit=${count}`);
    const firstHalf = await get(`${url}?limit=${count / 2}`);
    const secondHalf = await get(
      `${url}?limit=${count / 2}&cursor=${encodeURIComponent(firstHalf.body.nextCursor)}`,
    );

    // Assess
    expect(count).toBe(6);
    expect(all.nextCursor).toBeUndefined();
    expect(whole.body.items).toHaveLength(count);
    expect(whole.body).not.toHaveProperty('nextCursor');
    expect(firstHalf.body.nextCursor).toEqual(expect.any(String));
    expect(secondHalf.body.items).toHaveLength(count / 2);
    expect(secondHalf.body).not.toHaveProperty('nextCursor');
  });

  it('gives a full last page of a type filter no cursor either', async () => {
    const { body } = await get(`${api.stack.apiUrl}/users/${winner}/activities?type=MatchFinalized&limit=3`);
    expect(body.items).toHaveLength(3);
    expect(body).not.toHaveProperty('nextCursor');
  });

  it('refuses a type outside the contract with 400 naming the parameter and the eight types', async () => {
    const { status, body } = await get(`${api.stack.apiUrl}/users/${winner}/activities?type=Nope`);
    expect(status).toBe(400);
    expect(body.error.code).toBe('InvalidParameter');
    expect(body.error.message).toMatch(/^type "Nope" is not one of /);
    for (const detailType of DETAIL_TYPES) expect(body.error.message).toContain(detailType);
  });

  it.each(['limit=0', 'limit=101', 'limit=two', 'type=Match-Finalized', 'type=matchfinalized'])(
    'refuses %s with 400',
    async (query) => {
      const { status, body } = await get(`${api.stack.apiUrl}/users/${winner}/activities?${query}`);
      expect(status).toBe(400);
      expect(body.error.code).toBe('InvalidParameter');
    },
  );
});

describe('GET /stats?userIds=', () => {
  it('answers each distinct id in request order, unknown users with zeros', async () => {
    const unknown = fresh('unknown');
    const { status, body } = await get(
      `${api.stack.apiUrl}/stats?userIds=${loser},${unknown},${winner},${loser}`,
    );
    expect(status).toBe(200);
    expect(body.items.map((s: { userId: string }) => s.userId)).toEqual([loser, unknown, winner]);
    expect(body.items[0]).toMatchObject({ matchesWon: 1, matchesLost: 2 });
    expect(body.items[1]).toMatchObject({ matchesPlayed: 0, activityCount: 0, winRate: 0 });
    expect(body.items[2]).toMatchObject({ matchesWon: 2 });
  });

  it(`reads ${MAX_BATCH_USERS} users in one request and refuses ${MAX_BATCH_USERS + 1}`, async () => {
    const ids = Array.from({ length: MAX_BATCH_USERS + 1 }, (_, i) => `u${i}`);
    const full = await get(`${api.stack.apiUrl}/stats?userIds=${ids.slice(0, MAX_BATCH_USERS).join(',')}`);
    expect(full.status).toBe(200);
    expect(full.body.items).toHaveLength(MAX_BATCH_USERS);
    const over = await get(`${api.stack.apiUrl}/stats?userIds=${ids.join(',')}`);
    expect(over.status).toBe(400);
    expect(over.body.error.message).toMatch(/at most 100/);
  });

  it.each(['', '?userIds=', '?userIds=a,b%3Ac'])('refuses %s with 400', async (query) => {
    const { status, body } = await get(`${api.stack.apiUrl}/stats${query}`);
    expect(status).toBe(400);
    expect(body.error.code).toBe('InvalidParameter');
  });
});

describe('requests no route serves', () => {
  it.each([
    ['GET', '/users'],
    ['GET', '/users/a/b/c'],
    ['POST', '/stats'],
  ])('%s %s gets a JSON 404 naming the routes', async (method, path) => {
    const response = await fetch(`${api.stack.apiUrl}${path}`, { method, headers: SIGNED });
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('NotFound');
    expect(body.error.message).toContain('GET /users/{userId}/stats');
  });
});

describe('stage throttling', () => {
  it('answers 429 as API Gateway does once the burst is spent', async () => {
    const throttledApi = await startLocalProfileApi({
      doc: documentClient(localDynamoClient(inject('dynamoEndpoint'))),
      tables: { activities: api.stack.tables.activities, stats: api.stack.tables.stats },
      // One request per 1,000 s: the second request is throttled however slow this machine is.
      throttle: { rateLimit: 0.001, burstLimit: 1 },
    });
    try {
      expect((await get(`${throttledApi.url}/users/${winner}/stats`)).status).toBe(200);
      const throttled = await get(`${throttledApi.url}/users/${winner}/stats`);
      expect(throttled.status).toBe(429);
      expect(throttled.body).toEqual({ message: 'Too Many Requests' });
    } finally {
      await throttledApi.close();
    }
  });
});
