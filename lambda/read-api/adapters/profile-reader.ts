import { randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_FEED_LIMIT, MAX_READER_FEED_LIMIT } from '../../shared/contract/limits.ts';
import { FeedCursors } from '../application/feed-cursor.ts';
import type { ProfileStore } from '../application/ports.ts';
import { gameList, profileView } from '../application/read-routes.ts';
import type { FeedPage, GameList, ProfileView } from '../constants.ts';
import { erasureAwareProfileStore, type ProfileTables } from './profile-store.ts';

/**
 * Reads a user's statistics and feed in process, with the read API's store and cursors (the demo,
 * the smoke test and the test suites use it; platforms read through the HTTP API). Its cursors are
 * signed with a key of its own: they page through one reader's results.
 */
export class ProfileReader {
  private readonly store: ProfileStore;
  private readonly cursors = new FeedCursors(randomBytes(32));

  constructor(client: DynamoDBDocumentClient, tables: ProfileTables) {
    // Erased users read as unknown; the log is read afresh for every call (no cache in process).
    this.store = erasureAwareProfileStore(client, tables, 0);
  }

  /**
   * A user's statistics, overall or in `gameId`; an unknown (or erased) user, or a game they have
   * nothing in, has zeros and `lastActivityAt: null`.
   */
  async stats(userId: string, options: { gameId?: string | undefined } = {}): Promise<ProfileView> {
    const { gameId } = options;
    return profileView(userId, await this.store.stats(userId, gameId), gameId);
  }

  /** A user's statistics in each game they have activity in, sorted by `gameId`. */
  async games(userId: string): Promise<GameList> {
    return gameList(userId, await this.store.games(userId));
  }

  /** A user's activities, newest first (by `occurredAt`, then key), `limit` at a time (at most {@link MAX_READER_FEED_LIMIT}). */
  async feed(
    userId: string,
    options: { limit?: number; cursor?: string | undefined } = {},
  ): Promise<FeedPage> {
    const limit = Math.max(1, Math.min(options.limit ?? DEFAULT_FEED_LIMIT, MAX_READER_FEED_LIMIT));
    const after = options.cursor ? this.cursors.decode(options.cursor, userId, undefined) : undefined;
    const page = await this.store.feed(userId, { limit, after });
    return {
      items: page.items,
      nextCursor: page.next ? this.cursors.encode(userId, undefined, page.next) : undefined,
    };
  }
}
