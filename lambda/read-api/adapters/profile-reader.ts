import { randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoErasureLog } from '../../shared/aws/erasure-log.ts';
import { CachedErasedUsers } from '../../shared/erased-users.ts';
import { ErasureAwareProfileStore } from '../application/erasure-aware-store.ts';
import { FeedCursors } from '../application/feed-cursor.ts';
import { profileView } from '../application/profile-api.ts';
import type { FeedPage, ProfileView } from '../domain/routes.ts';
import { DynamoProfileStore, type ProfileTables } from './profile-store.ts';

/** Where the reader finds its tables. */
export type ProfileReaderTables = ProfileTables;

/**
 * Reads a user's statistics and feed in process, with the read API's store and cursors (the demo,
 * the smoke test and the test suites use it; platforms read through the HTTP API). Its cursors are
 * signed with a key of its own: they page through one reader's results.
 */
export class ProfileReader {
  private readonly store: ErasureAwareProfileStore;
  private readonly cursors = new FeedCursors(randomBytes(32));

  constructor(client: DynamoDBDocumentClient, tables: ProfileReaderTables) {
    // Erased users read as unknown; the log is read afresh for every call (no cache in process).
    this.store = new ErasureAwareProfileStore(
      new DynamoProfileStore(client, tables),
      new CachedErasedUsers(new DynamoErasureLog(client, tables.statsTable), { cacheSeconds: 0 }),
    );
  }

  /** A user's statistics; an unknown (or erased) user has zeros and `lastActivityAt: null`. */
  async stats(userId: string): Promise<ProfileView> {
    return profileView(userId, await this.store.stats(userId));
  }

  /** A user's activities, newest first (by `occurredAt`, then key), `limit` (1–1000) at a time. */
  async feed(
    userId: string,
    options: { limit?: number; cursor?: string | undefined } = {},
  ): Promise<FeedPage> {
    const limit = Math.max(1, Math.min(options.limit ?? 20, 1000));
    const after = options.cursor ? this.cursors.decode(options.cursor, userId, undefined) : undefined;
    const page = await this.store.feed(userId, { limit, after });
    return {
      items: page.items,
      nextCursor: page.next ? this.cursors.encode(userId, undefined, page.next) : undefined,
    };
  }
}
