/**
 * The profile read client: what a platform imports to read statistics and feeds over HTTP.
 *
 * @example
 * import { ProfileClient } from 'tournament-profile-client/reader';
 */

export type {
  FeedEntry,
  FeedPage,
  GameList,
  GameProfileView,
  MatchResult,
  ProfileView,
} from '../read-api/index.ts';
export { defaultCredentials } from './credentials.ts';
export { ProfileApiError } from './errors.ts';
export {
  type AwsCredentials,
  type ConditionalOptions,
  type GamesResult,
  ProfileClient,
  type ProfileClientOptions,
  type StatsResult,
} from './profile-client.ts';
