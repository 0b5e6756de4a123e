import type { Counters } from '../../statistics/index.ts';
import type { FeedEntry, Streaks } from '../constants.ts';

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
 * The public statistics of one scope, every game or one game, as the statistics items hold them
 * (the projector's internal attributes are not part of it).
 */
export interface ScopeStats extends Streaks {
  readonly counters: Counters;
  readonly activityCount: number;
  /** `null` when the scope has no activity. */
  readonly lastActivityAt: string | null;
}

/**
 * What the read API needs from storage. A statistics read is one `GetItem`, a batch read is
 * `BatchGetItem`, a user's games one `Query` of their per-game items: none depends on how long a
 * user's history is.
 */
export interface ProfileStore {
  /** The user's statistics overall, or in `gameId`; `undefined` for a user with none there. */
  stats(userId: string, gameId?: string): Promise<ScopeStats | undefined>;
  /** Statistics of up to 100 distinct users, overall or in `gameId`; users without any are absent. */
  statsMany(userIds: readonly string[], gameId?: string): Promise<ReadonlyMap<string, ScopeStats>>;
  /** The user's statistics in each game they have activity in, by `gameId`. */
  games(userId: string): Promise<ReadonlyMap<string, ScopeStats>>;
  /** A page of the user's activities, newest first. */
  feed(userId: string, query: FeedQuery): Promise<StoredFeedPage>;
}
