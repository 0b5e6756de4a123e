import type { StoredStats } from '../../statistics/index.ts';
import type { FeedEntry } from '../constants.ts';

/** Where a feed page stopped: the key of the last item read (the index and table key attributes). */
export type FeedPosition = Readonly<Record<string, string>>;

/** A page read from storage. */
export interface StoredFeedPage {
  readonly items: readonly FeedEntry[];
  /** Set when more items follow. */
  readonly next?: FeedPosition | undefined;
}

/** Options of a feed read. */
export interface FeedQuery {
  readonly limit: number;
  /** Only activities with this `detailType`. */
  readonly detailType?: string | undefined;
  readonly after?: FeedPosition | undefined;
}

/**
 * What the read API needs from storage. A statistics read is one `GetItem`, a batch read is
 * `BatchGetItem`: neither depends on how long a user's history is.
 */
export interface ProfileStore {
  /** The user's statistics item, `undefined` for a user with none. */
  stats(userId: string): Promise<StoredStats | undefined>;
  /** Statistics items of up to 100 distinct users; users without one are absent from the map. */
  statsMany(userIds: readonly string[]): Promise<ReadonlyMap<string, StoredStats>>;
  /** A page of the user's activities, newest first. */
  feed(userId: string, query: FeedQuery): Promise<StoredFeedPage>;
}
