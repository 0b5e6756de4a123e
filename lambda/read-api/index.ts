/**
 * The read API's published entry: what the erasure feature (whose `DELETE /users/{userId}` is a
 * route of the same API), the read client package, the local stack and the CLI use of it. Only
 * declarations and re-exports: importing it runs nothing, so bundles keep only what they call.
 */
export { createHttpApiHandler, type HttpApiEvent } from './adapters/api-gateway.ts';
export { ProfileReader } from './adapters/profile-reader.ts';
export type { ProfileTables } from './adapters/profile-store.ts';
export { readActions } from './application/read-routes.ts';
export {
  type ApiRequest,
  type ApiResponse,
  json,
  type RouteActions,
  type ServeOptions,
  serveRoutes,
} from './application/serve-routes.ts';
export {
  type FeedEntry,
  type FeedPage,
  type ProfileView,
  READ_ROUTES,
  ROUTES,
  routeKeyOf,
} from './constants.ts';
export { matchRoute } from './domain/parameters.ts';
export { readApiDependencies } from './wiring.ts';
