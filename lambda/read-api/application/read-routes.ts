import type { StoredStats } from '../../statistics/index.ts';
import { profileStats, winRate, ZERO } from '../../statistics/index.ts';
import type { FeedPage, ProfileView } from '../constants.ts';
import { conditionalJson } from './conditional.ts';
import type { FeedCursors } from './feed-cursor.ts';
import type { ProfileStore } from './ports.ts';
import { type ApiRequest, type ApiResponse, json, type RouteActions, serveRoutes } from './serve-routes.ts';

/** The read routes: a user's statistics (with an ETag), their feed page by page, batch statistics. */

/** What the read API is built from. */
export interface ProfileApiDependencies {
  readonly store: ProfileStore;
  readonly cursors: FeedCursors;
  /** JWT claim that holds the caller's user id. @default "sub" */
  readonly userIdClaim?: string;
  /** Called with unexpected failures before the 500 answer (logging). */
  readonly onError?: (error: unknown, request: ApiRequest) => void;
}

/** The view of stored statistics (zeros for a user without any). */
export function profileView(userId: string, stored: StoredStats | undefined): ProfileView {
  const stats = stored
    ? profileStats(userId, stored.counters, stored.activityCount, stored.lastActivityAt)
    : profileStats(userId, ZERO, 0, null);
  return { ...stats, winRate: winRate(stats) };
}

/** The read routes' actions: statistics, feeds and batch reads. */
export function readActions(deps: ProfileApiDependencies): RouteActions {
  return {
    async getUserStats(values, request) {
      const userId = values.userId as string;
      return conditionalJson(request, profileView(userId, await deps.store.stats(userId)));
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
      const found = await deps.store.statsMany(userIds);
      return json(200, { items: userIds.map((id) => profileView(id, found.get(id))) });
    },
  };
}

/** The read API: the read routes served as {@link serveRoutes} serves them. */
export function createProfileApi(
  deps: ProfileApiDependencies,
): (request: ApiRequest) => Promise<ApiResponse> {
  return serveRoutes(readActions(deps), deps);
}
