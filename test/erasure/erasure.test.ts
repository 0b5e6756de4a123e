import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { EraseReport } from '../../lambda/erasure/application/erase-user.ts';
import { usersNamedBy } from '../../lambda/shared/contract/dead-letter.ts';
import type { StatsActivity } from '../../lambda/statistics/domain/stats.ts';
import { startLocalStack } from '../../local/stack.ts';
import type { LocalStack } from '../../local/stack-options.ts';
import { exampleDetail } from '../support/events.ts';
import type { PlannedEvent } from '../support/tournament.ts';
import { waitFor } from '../support/wait.ts';
import { expectedStats, oracle, partitionItems, publish, season, tpi } from './support.ts';

let stack: LocalStack;
const lines: string[] = [];
const startedAt = new Date(Date.now() - 60_000).toISOString();

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    dynamodbEndpoint: inject('dynamoEndpoint'),
    tablePrefix: `erase${randomUUID().slice(0, 8)}-`,
    flag: 'on',
    // A short cache keeps the erasure's wait close to the local invocation timeout (30 s + 2 s).
    flagCacheSeconds: 1,
    log: (line) => lines.push(line),
  });
});

afterAll(async () => {
  await stack?.stop();
});

async function replayEverything(): Promise<void> {
  const { code, stdout, stderr } = await tpi(stack, 'replay', '--from', startedAt, '--to', 'now', '--json');
  expect(code, `${stdout}${stderr}`).toBe(0);
  await stack.settled();
}

async function statsOfUser(userId: string) {
  const { code, stdout } = await tpi(stack, 'stats', userId, '--json');
  expect(code).toBe(0);
  const { winRate: _derived, ...stats } = JSON.parse(stdout) as Record<string, unknown>;
  return stats;
}

/** The user named by the most activities: erasing them removes a real share of the season. */
function busiest(expected: Map<string, StatsActivity[]>): string {
  return [...expected].sort((a, b) => b[1].length - a[1].length)[0]?.[0] as string;
}

const invalidFinalization = (users: string[], tournamentId: string): PlannedEvent => ({
  detailType: 'MatchFinalized',
  // No matchId: refused and dead-lettered, naming these users.
  detail: {
    ...exampleDetail('MatchFinalized', { participantUserIds: users, winnerUserIds: [] }),
    matchId: undefined,
    tournamentId,
  },
});

describe('erasing a user in the middle of a season', () => {
  const prefix = `s${randomUUID().slice(0, 6)}`;
  const events = season(prefix, 18);
  const firstHalf = events.slice(0, Math.ceil(events.length / 2));
  const secondHalf = events.slice(firstHalf.length);
  const before = oracle(firstHalf, 'tournaments');
  const erased = busiest(before);
  const other = [...before.keys()].find((u) => u !== erased) as string;
  const nextMatch: PlannedEvent = {
    detailType: 'MatchFinalized',
    detail: exampleDetail('MatchFinalized', {
      tournamentId: `${prefix}t2`,
      matchId: `${prefix}next`,
      occurredAt: '2026-06-01T10:00:00Z',
      participantUserIds: [erased, other],
      winnerUserIds: [erased],
    }),
  };

  it('removes every item of theirs, and neither replays nor their next match bring anything back', async () => {
    // Prepare: half a season, one dead letter naming only them and one naming another user too.
    await publish(stack, [
      ...firstHalf,
      invalidFinalization([erased], `${prefix}bad1`),
      invalidFinalization([erased, other], `${prefix}bad2`),
    ]);
    await stack.settled();
    const theirs = before.get(erased) ?? [];
    expect((await statsOfUser(erased)).activityCount).toBe(theirs.length);

    // Act
    const run = await tpi(stack, 'erase', erased, '--yes', '--json');
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as EraseReport;
    await publish(stack, secondHalf);
    await stack.settled();
    await replayEverything();
    await replayEverything();
    await publish(stack, [nextMatch]);
    await stack.settled();

    // Assess
    expect(report.removed).toMatchObject({
      activities: theirs.length,
      statistics: 1,
      markers: theirs.length,
      deadLetters: 1,
    });
    expect(report.keptDeadLetters).toHaveLength(1);
    expect(run.stderr).toMatch(/waiting \d+s for every function to see the erasure record/);
    expect(await partitionItems(stack, stack.tables.activities, erased)).toEqual([]);
    expect((await partitionItems(stack, stack.tables.stats, erased)).map((i) => i.sk)).toEqual(['ERASURE']);
    expect(await statsOfUser(erased)).toMatchObject(expectedStats(erased));
    const feed = await tpi(stack, 'feed', erased, '--json');
    expect(JSON.parse(feed.stdout).items).toEqual([]);
    expect(lines.some((l) => / [1-9]\d* erased/.test(l))).toBe(true);
    const letters = await tpi(stack, 'dead-letters', 'list', '--limit', '1000', '--json');
    const { items: stored } = JSON.parse(letters.stdout) as {
      items: { deadLetterId: string; event: string }[];
    };
    const named = stored.map((l) => ({
      id: l.deadLetterId,
      users: [...usersNamedBy(JSON.parse(l.event))],
    }));
    expect(named.filter((l) => l.users.length === 1 && l.users[0] === erased)).toEqual([]);
    expect(named.map((l) => l.id)).toContain(report.keptDeadLetters[0]);
    expect(lines.some((l) => /not stored \(names only erased users\)/.test(l))).toBe(true);

    // Audit and repair see no drift in an erased user, nor a user in the erasure log's partition.
    const audit = await tpi(stack, 'audit', '--repair', '--json');
    expect(audit.code, audit.stdout).toBe(0);
    expect((await partitionItems(stack, stack.tables.stats, erased)).map((i) => i.sk)).toEqual(['ERASURE']);

    const everything = oracle([...events, nextMatch], 'tournaments');
    for (const [userId, activities] of everything) {
      if (userId === erased) continue;
      expect(await statsOfUser(userId), userId).toMatchObject(expectedStats(userId, activities));
    }
  }, 600_000);

  it('after an undo, a replay brings their statistics back exactly as the oracle says', async () => {
    // Act: the undo returns once every function's cached set has dropped the user.
    const undo = await tpi(stack, 'erase', erased, '--undo', '--yes');
    expect(undo.code, undo.stderr).toBe(0);
    expect(undo.stderr).toMatch(/waiting \d+s for every function to see the undo/);
    expect(await partitionItems(stack, stack.tables.stats, erased)).toEqual([]);
    await replayEverything();

    // Assess
    const everything = oracle([...events, nextMatch], 'tournaments');
    expect(await statsOfUser(erased)).toMatchObject(expectedStats(erased, everything.get(erased)));
  }, 600_000);

  it('refuses to run without --yes when nobody can confirm, and to lift an erasure that does not exist', async () => {
    const unconfirmed = await tpi(stack, 'erase', `${prefix}nobody`);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/--yes/);
    const lift = await tpi(stack, 'erase', `${prefix}nobody`, '--undo', '--yes');
    expect(lift.code).toBe(1);
    expect(lift.stdout).toMatch(/no erasure record/);
  });
});

describe('an interrupted erasure', () => {
  it('is finished by running the command again', async () => {
    // Prepare: one user with many activities, so the erasure is still deleting when it is killed.
    const userId = `k${randomUUID().slice(0, 6)}`;
    const count = 100;
    await publish(
      stack,
      Array.from({ length: count }, (_, i) => ({
        detailType: 'CheckInToggled' as const,
        detail: exampleDetail('CheckInToggled', { registrationId: `${userId}r${i}`, userIds: [userId] }),
      })),
    );
    await stack.settled();

    // Act: kill the CLI process as soon as it has deleted something.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'bin/tpi.ts',
        'erase',
        userId,
        '--yes',
        '--batch-size',
        '1',
        '--endpoint',
        stack.endpoint,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      },
    );
    const exited = new Promise((r) => child.on('exit', r));
    const progress: string[] = [];
    createInterface({ input: child.stderr }).on('line', (line) => {
      progress.push(line);
      if (/^activities +removed so far: ([1-9]\d*) activities/.test(line)) child.kill('SIGKILL');
    });
    await exited;
    const left = await partitionItems(stack, stack.tables.activities, userId);
    const again = await tpi(stack, 'erase', userId, '--yes', '--json');

    // Assess
    expect(progress.some((l) => l.startsWith('activities'))).toBe(true);
    expect(left.length).toBeGreaterThan(0);
    expect(left.length).toBeLessThan(count);
    expect(again.code, again.stderr).toBe(0);
    const report = JSON.parse(again.stdout) as EraseReport;
    expect(report.resumed).toBe(true);
    // The killed run may have deleted one batch it had no time to count.
    expect(report.removed.activities).toBeGreaterThanOrEqual(count - 1);
    expect(report.removed.activities).toBeLessThanOrEqual(count);
    expect(await partitionItems(stack, stack.tables.activities, userId)).toEqual([]);
    expect((await partitionItems(stack, stack.tables.stats, userId)).map((i) => i.sk)).toEqual(['ERASURE']);
  }, 600_000);
});

describe('DELETE /users/{userId} on the local read API', () => {
  const SIGNED = {
    authorization:
      'AWS4-HMAC-SHA256 Credential=platform/20260501/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=00',
  };

  it('refuses unsigned requests as API Gateway does, answers 202 while erasing and 200 with the totals once done', async () => {
    // Prepare: a user with a few activities.
    const userId = `d${randomUUID().slice(0, 6)}`;
    await publish(
      stack,
      Array.from({ length: 3 }, (_, i) => ({
        detailType: 'CheckInToggled' as const,
        detail: exampleDetail('CheckInToggled', { registrationId: `${userId}r${i}`, userIds: [userId] }),
      })),
    );
    await stack.settled();
    const url = `${stack.apiUrl}/users/${userId}`;

    // Act
    const unsigned = await fetch(url, { method: 'DELETE' });
    const accepted = await fetch(url, { method: 'DELETE', headers: SIGNED });
    const acceptedBody = await accepted.json();
    const done = await waitFor('the erasure to finish', async () => {
      const response = await fetch(url, { method: 'DELETE', headers: SIGNED });
      const body = (await response.json()) as EraseReport & { state: string };
      return response.status === 200 ? body : undefined;
    });

    // Assess
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toEqual({ message: 'Forbidden' });
    expect(accepted.status).toBe(202);
    expect(acceptedBody).toMatchObject({ userId });
    expect(['requested', 'erasing']).toContain((acceptedBody as { state: string }).state);
    expect(done).toMatchObject({
      userId,
      state: 'erased',
      removed: { activities: 3, statistics: 1, markers: 3 },
    });
    expect(await partitionItems(stack, stack.tables.activities, userId)).toEqual([]);
    expect((await partitionItems(stack, stack.tables.stats, userId)).map((i) => i.sk)).toEqual(['ERASURE']);
  }, 600_000);

  it('refuses an id the contract does not allow', async () => {
    const response = await fetch(`${stack.apiUrl}/users/${encodeURIComponent('a#b')}`, {
      method: 'DELETE',
      headers: SIGNED,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('InvalidParameter');
  });
});
