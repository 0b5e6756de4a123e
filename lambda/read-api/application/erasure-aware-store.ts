import type { ErasedUsers } from '../../shared/erased-users.ts';
import type { FeedQuery, ProfileStore, ScopeStats, StoredFeedPage } from './ports.ts';

/**
 * Reads that answer for an erased user as for an unknown one, also in the short time between the
 * erasure record and the deletes. The set comes from the same cache the writers use: no read pays
 * an extra request.
 */
export class ErasureAwareProfileStore implements ProfileStore {
  constructor(
    private readonly inner: ProfileStore,
    private readonly erased: ErasedUsers,
  ) {}

  async stats(userId: string, gameId?: string): Promise<ScopeStats | undefined> {
    const [erased, stats] = await Promise.all([this.erased.current(), this.inner.stats(userId, gameId)]);
    return erased.has(userId) ? undefined : stats;
  }

  async statsMany(userIds: readonly string[], gameId?: string): Promise<ReadonlyMap<string, ScopeStats>> {
    const [erased, found] = await Promise.all([this.erased.current(), this.inner.statsMany(userIds, gameId)]);
    return new Map([...found].filter(([userId]) => !erased.has(userId)));
  }

  async games(userId: string): Promise<ReadonlyMap<string, ScopeStats>> {
    const [erased, games] = await Promise.all([this.erased.current(), this.inner.games(userId)]);
    return erased.has(userId) ? new Map() : games;
  }

  async feed(userId: string, query: FeedQuery): Promise<StoredFeedPage> {
    if ((await this.erased.current()).has(userId)) return { items: [] };
    return this.inner.feed(userId, query);
  }
}
