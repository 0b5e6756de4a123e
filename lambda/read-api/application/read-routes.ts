import { profileStats, winRate, ZERO } from '../../statistics/index.ts';
import type { FeedPage, GameList, GameProfileView, ProfileView } from '../constants.ts';
import { conditionalJson } from './conditional.ts';
import type { FeedCursors } from './feed-cursor.ts';
import type { ProfileStore, ScopeStats } from './ports.ts';
import { type ApiRequest, type ApiResponse, json, type RouteActions, serveRoutes } from './serve-routes.ts';

/**
 * The read routes: a user's statistics overall or per game (with an ETag), their games, their
 * feed page by page, batch statistics.
 */

/** What the read API is built from. */
export interface ProfileApiDependencies {
  readonly store: ProfileStore;
  readonly cursors: FeedCursors;
  /** JWT claim that holds the caller's user id. @default "sub" */
  readonly userIdClaim?: string;
  /** Called with unexpected failures before the 500 answer (logging). */
  readonly onError?: (error: unknown, request: ApiRequest) => void;
}

/** The statistics of a scope with no activity. */
const NOTHING: ScopeStats = {
  counters: ZERO,
  activityCount: 0,
  lastActivityAt: null,
  currentWinStreak: 0,
  longestWinStreak: 0,
  recentResults: [],
};

/** The view of stored statistics, overall or in `gameId` (zeros for a user without any there). */
export function profileView(userId: string, stored: ScopeStats | undefined, gameId?: string): ProfileView {
  const scope = stored ?? NOTHING;
  const { userId: _, ...stats } = profileStats(
    userId,
    scope.counters,
    scope.activityCount,
    scope.lastActivityAt,
  );
  return {
    userId,
    ...(gameId === undefined ? {} : { gameId }),
    ...stats,
    currentWinStreak: scope.currentWinStreak,
    longestWinStreak: scope.longestWinStreak,
    recentResults: scope.recentResults,
    winRate: winRate(stats),
  };
}

/** The view of a user's stored statistics in one game. */
const gameView = (userId: string, stored: ScopeStats | undefined, gameId: string): GameProfileView => ({
  ...profileView(userId, stored, gameId),
  gameId,
});

/** A user's games, sorted by `gameId` (as the contract compares ids: as strings). */
export function gameList(userId: string, games: ReadonlyMap<string, ScopeStats>): GameList {
  const gameIds = [...games.keys()].sort();
  return { items: gameIds.map((gameId) => gameView(userId, games.get(gameId), gameId)) };
}

/** The read routes' actions: statistics, games, feeds and batch reads. */
export function readActions(deps: ProfileApiDependencies): RouteActions {
  return {
    async getUserStats(values, request) {
      const userId = values.userId as string;
      const gameId = values.gameId as string | undefined;
      return conditionalJson(request, profileView(userId, await deps.store.stats(userId, gameId), gameId));
    },
    async getUserGames(values, request) {
      const userId = values.userId as string;
      return conditionalJson(request, gameList(userId, await deps.store.games(userId)));
    },
    async getUserActivities(values) {
      const userId = values.userId as string;
      const detailType = values.type as string | undefined;
      const cursor = values.cursor as string | undefined;
      const after = cursor === undefined ? undefined : deps.cursors.decode(cursor, userId, detailType);
      const page = await deps.store.feed(userId, { limit: values.limit as number, detailType, after });
      const body: FeedPage = {
        items: page.items,
        ...(page.next ? { nextCursor: deps.cursors.encode(userId, detailType, page.next) } : {}),
      };
      return json(200, body);
    },
    async getStatsBatch(values) {
      const userIds = values.userIds as readonly string[];
      const gameId = values.gameId as string | undefined;
      const found = await deps.store.statsMany(userIds, gameId);
      return json(200, { items: userIds.map((id) => profileView(id, found.get(id), gameId)) });
    },
  };
}

/** The read API: the read routes served as {@link serveRoutes} serves them. */
export function createProfileApi(
  deps: ProfileApiDependencies,
): (request: ApiRequest) => Promise<ApiResponse> {
  return serveRoutes(readActions(deps), deps);
}
