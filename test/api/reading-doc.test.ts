import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fresh } from '../support/events.ts';
import { typecheckExample } from '../support/typecheck.ts';
import { checkIn, finalized, putStatsItems, sharedApiStack, statsItem } from './support.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PYTHON_EXAMPLE = join(ROOT, 'docs', 'examples', 'read_profile.py');
const doc = readFileSync(join(ROOT, 'docs', 'reading.md'), 'utf8');
// The first TypeScript block: the IAM example (blocks marked `runnable` are run by test/docs).
const tsBlock = /```ts\n([\s\S]*?)```/.exec(doc)?.[1];
const python = spawnSync('python3', ['-c', 'import botocore'], { encoding: 'utf8' });
const pythonMissing =
  python.error || python.status !== 0
    ? `python3 with botocore is not available here (${python.error?.message ?? python.stderr.trim()}): install it (python3-botocore) to run the Python example`
    : undefined;

// Inside node_modules/.cache so the example resolves the project's dependencies as a consumer would.
mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
const work = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'reading-doc-'));
const AWS_ENV = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  AWS_ACCESS_KEY_ID: 'AKIDDOCS',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

const [winner, loser, tournament] = [fresh('win'), fresh('lose'), fresh('t')];
const api = sharedApiStack([
  finalized(tournament, winner, loser, 1),
  checkIn(tournament, winner, 2),
  finalized(tournament, winner, loser, 3),
]);

/** The winner's statistics in one game, as the statistics projector stores them. */
const VALORANT = {
  gameId: 'valorant',
  matchesWon: 2,
  matchesPlayed: 2,
  currentWinStreak: 2,
  recentResults: ['W', 'W'],
};
beforeAll(() => putStatsItems(api.stack, [statsItem(winner, 'GAME#valorant', VALORANT)]));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The TypeScript example, importing the client from this checkout instead of the installed package. */
function typescriptExample(): string {
  if (!tsBlock) throw new Error('docs/reading.md has no ts example');
  const file = join(work, 'example.mts');
  writeFileSync(
    file,
    tsBlock.replace(
      "'tournament-profile-client/reader'",
      JSON.stringify(join(ROOT, 'lambda', 'client', 'index.ts')),
    ),
  );
  return file;
}

describe('docs/reading.md', () => {
  it('TypeScript example type-checks against the client', () => {
    expect(typecheckExample(typescriptExample(), work)).toEqual({ output: '', status: 0 });
  }, 300_000);

  it('TypeScript example reads statistics, a 304, one game, the games, filtered pages and batches from the local API', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', typescriptExample()], {
      cwd: ROOT,
      env: { ...AWS_ENV, PROFILE_API_URL: api.stack.apiUrl, PROFILE_USER: winner },
    });
    const out = JSON.parse(stdout.trim().split('\n').at(-1) as string);
    expect(out.stats).toMatchObject({ userId: winner, matchesWon: 2, matchesPlayed: 2 });
    expect(out.unchanged).toBe(true);
    expect(out.page.items.every((i: { detailType: string }) => i.detailType === 'MatchFinalized')).toBe(true);
    expect(out.page.items).toHaveLength(2);
    expect(out.leaderboard.map((s: { userId: string }) => s.userId)).toEqual([winner, 'someone-else']);
    expect(out.valorant.stats).toMatchObject({ userId: winner, ...VALORANT });
    expect(out.games.games).toEqual([out.valorant.stats]);
    expect(out.valorantBoard.map((s: { matchesPlayed: number }) => s.matchesPlayed)).toEqual([2, 0]);
  }, 120_000);

  it('Python example reads statistics, a 304, a feed page, the games and batches with SigV4-signed requests', async (context) => {
    if (pythonMissing) return context.skip(pythonMissing);
    const { stdout } = await promisify(execFile)(
      'python3',
      [PYTHON_EXAMPLE, api.stack.apiUrl, winner, loser],
      {
        env: AWS_ENV,
      },
    );
    const out = JSON.parse(stdout);
    expect(out.stats).toMatchObject({ userId: winner, matchesWon: 2, activityCount: 3, winRate: 1 });
    expect(out.etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect(out.notModified).toBe(true);
    expect(out.feed.items).toHaveLength(1);
    expect(out.feed.items[0].detailType).toBe('MatchFinalized');
    expect(typeof out.feed.nextCursor).toBe('string');
    expect(out.batch.map((s: { userId: string; matchesLost: number }) => [s.userId, s.matchesLost])).toEqual([
      [winner, 0],
      [loser, 2],
    ]);
    expect(out.forgedCursor).toEqual({ status: 400, code: 'InvalidCursor' });
    expect(out.games).toEqual([expect.objectContaining({ userId: winner, ...VALORANT })]);
    expect(out.game).toEqual(out.games[0]);
    expect(
      out.gameBatch.map((s: { userId: string; gameId: string; matchesPlayed: number }) => [
        s.userId,
        s.gameId,
        s.matchesPlayed,
      ]),
    ).toEqual([
      [winner, 'valorant', 2],
      [loser, 'valorant', 0],
    ]);
  }, 120_000);
});
