import { json, type RouteActions, type ServeOptions, serveRoutes } from '../../read-api/index.ts';
import type { ErasureRecord, ErasureRequests } from './ports.ts';

/** The body of `DELETE /users/{userId}` (schema `ErasureStatus`). */
export type ErasureStatus =
  | { readonly userId: string; readonly state: 'requested' }
  | (Pick<ErasureRecord, 'userId' | 'state' | 'erasedAt' | 'removed' | 'keptDeadLetters'> & {
      readonly state: ErasureRecord['state'];
    });

const statusOf = (record: ErasureRecord): ErasureStatus => ({
  userId: record.userId,
  state: record.state,
  erasedAt: record.erasedAt,
  removed: record.removed,
  keptDeadLetters: [...record.keptDeadLetters],
});

/**
 * The erase route's action. An erasure outlasts the gateway's integration timeout, so the route
 * only reads the record and hands the work over: 200 with the totals once it is done, otherwise
 * 202 with where it stands, after asking for it to run (again). Asking again is how a caller
 * learns it finished, and how a stopped erasure is resumed.
 */
export function erasureActions(erasures: ErasureRequests): RouteActions {
  return {
    async eraseUser(values) {
      const userId = values.userId as string;
      const record = await erasures.record(userId);
      if (record?.state === 'erased') return json(200, statusOf(record));
      await erasures.request(userId);
      return json(202, record ? statusOf(record) : { userId, state: 'requested' });
    },
  };
}

/** The erase route on its own, for the function the deployed gateway routes it to. */
export function createErasureApi(erasures: ErasureRequests, options: ServeOptions = {}) {
  return serveRoutes(erasureActions(erasures), options);
}
