import { describe, expect, it } from 'vitest';
import { usersNamedBy } from '../../lambda/shared/contract/dead-letter.ts';

import {
  applyErasureLog,
  CachedErasedUsers,
  ERASURE_LOG_OVERLAP_MS,
  type ErasureAction,
  type ErasureLogEntry,
  type ErasureLogReader,
  erasureLogSk,
} from '../../lambda/shared/erased-users.ts';
import { ErasureLogUnavailableError } from '../../lambda/shared/errors.ts';
import { statsItemKind } from '../../lambda/statistics/domain/stats-items.ts';

const entry = (ms: number, userId: string, action: ErasureAction): ErasureLogEntry => ({
  sk: erasureLogSk(new Date(ms), userId, action),
  userId,
  action,
});

/** An in-memory log that records what each refresh asked for. */
class MemoryLog implements ErasureLogReader {
  readonly entries: ErasureLogEntry[] = [];
  readonly asked: (string | undefined)[] = [];
  failing = false;
  async entriesAfter(afterSk: string | undefined) {
    this.asked.push(afterSk);
    if (this.failing) throw new Error('unreachable');
    return this.entries.filter((e) => afterSk === undefined || e.sk > afterSk);
  }
}

describe('the erasure log folded into a set', () => {
  it('applies entries in time order, so an undo after an erase lifts it and a repeated window changes nothing', () => {
    const erased = new Set<string>();
    const entries = [entry(2000, 'a', 'undo'), entry(1000, 'a', 'erase'), entry(1500, 'b', 'erase')];
    applyErasureLog(erased, entries);
    applyErasureLog(erased, entries);
    expect([...erased]).toEqual(['b']);
  });

  it('names every user a stored event names, numbers as strings, and ignores shapes it does not know', () => {
    const event = {
      detail: { participantUserIds: [1, 'b'], winnerUserIds: ['b'], submittedByUserId: 'c', userIds: 'x' },
    };
    expect([...usersNamedBy(event)].sort()).toEqual(['1', 'b', 'c']);
    expect(usersNamedBy({ detail: '[too deep]' }).size).toBe(0);
    expect(usersNamedBy(null).size).toBe(0);
  });

  it('tells statistics, slots, markers and the record apart by sort key', () => {
    expect(['STATS', 'MATCH#9', 'TOURNAMENT#7', 'APPLIED#k', 'ERASURE'].map(statsItemKind)).toEqual([
      'statistics',
      'slots',
      'slots',
      'markers',
      'record',
    ]);
  });
});

describe('the cached set of erased users', () => {
  it('reads the whole log once, then only the last minutes once per cache period', async () => {
    // Prepare
    let now = 1_000_000;
    const log = new MemoryLog();
    log.entries.push(entry(now - 10 * 60_000, 'old', 'erase'));
    const cache = new CachedErasedUsers(log, { cacheSeconds: 15, now: () => now });

    // Act
    const first = new Set(await cache.current());
    await cache.current();
    log.entries.push(entry(now + 1000, 'new', 'erase'));
    const cached = new Set(await cache.current());
    now += 15_000;
    const refreshed = new Set(await cache.current());

    // Assess
    expect(first).toEqual(new Set(['old']));
    expect(cached).toEqual(new Set(['old']));
    expect(refreshed).toEqual(new Set(['old', 'new']));
    expect(log.asked).toEqual([undefined, new Date(1_000_000 - ERASURE_LOG_OVERLAP_MS).toISOString()]);
  });

  it('counts a period from when the read began, so a slow read never makes the set older than the period', async () => {
    // Prepare: a read that takes 5 s of this clock.
    let now = 2_000_000;
    const log = new MemoryLog();
    const slow: ErasureLogReader = {
      entriesAfter: async (after) => {
        const entries = await log.entriesAfter(after);
        now += 5000;
        return entries;
      },
    };
    const cache = new CachedErasedUsers(slow, { cacheSeconds: 1, now: () => now });

    // Act
    await cache.current();
    log.entries.push(entry(now, 'late', 'erase'));
    const next = await cache.current();

    // Assess: the first set was already older than one period when it arrived, so it is read again.
    expect(next.has('late')).toBe(true);
    expect(log.asked).toHaveLength(2);
  });

  it('sees an entry written by a clock a few minutes behind its own', async () => {
    let now = 5_000_000;
    const log = new MemoryLog();
    log.entries.push(entry(now, 'a', 'erase'));
    const cache = new CachedErasedUsers(log, { cacheSeconds: 1, now: () => now });
    await cache.current();
    log.entries.push(entry(now - 4 * 60_000, 'late-clock', 'erase'));
    now += 1000;
    expect((await cache.current()).has('late-clock')).toBe(true);
  });

  it('keeps the last set when the log cannot be read, and refuses to guess on a cold start', async () => {
    let now = 0;
    const log = new MemoryLog();
    log.entries.push(entry(1000, 'a', 'erase'));
    const stale: unknown[] = [];
    const cache = new CachedErasedUsers(log, {
      cacheSeconds: 1,
      now: () => now,
      onStale: (e) => stale.push(e),
    });
    await cache.current();
    log.failing = true;
    now += 1000;
    expect([...(await cache.current())]).toEqual(['a']);
    expect(stale).toHaveLength(1);

    const cold = new CachedErasedUsers(log, { cacheSeconds: 1 });
    await expect(cold.current()).rejects.toBeInstanceOf(ErasureLogUnavailableError);
  });
});
