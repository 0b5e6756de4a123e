/**
 * The read API's published entry: serving the profile API's declared routes and the API Gateway
 * event adapter (the erasure feature serves `DELETE /users/{userId}` with them), and the API's
 * declarations and response types (the read client's). Side-effect free: nothing it reaches creates
 * a logger or a client on load, so a bundle keeps only what it calls.
 */
export { createHttpApiHandler, type HttpApiEvent } from './adapters/api-gateway.ts';
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
  type GameList,
  type GameProfileView,
  type MatchResult,
  type ProfileView,
  READ_ROUTES,
  ROUTES,
  routeKeyOf,
} from './constants.ts';
