/**
 * The profile read client: what a platform imports to read statistics and feeds over HTTP.
 *
 * @example
 * import { ProfileClient } from 'tournament-profile-integration/client';
 */
export {
  type AwsCredentials,
  type FeedEntry,
  type FeedPage,
  ProfileApiError,
  ProfileClient,
  type ProfileClientOptions,
  type ProfileView,
  type StatsResult,
} from './profile-client.ts';
