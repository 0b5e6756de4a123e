/**
 * Default settings, in a module of their own: configuration code imports them without pulling the
 * schemas or the SSM client into bundles that need neither (the statistics function's cold start).
 */

/** The default EventBridge `source` of tournament events. */
export const DEFAULT_EVENT_SOURCE = 'tournaments';

/** The default name of the SSM parameter that holds the flag. */
export const DEFAULT_FLAG_PARAMETER_NAME = '/tournament-profile/integration-enabled';

/** Default seconds a flag value is cached: a change takes effect within this time. */
export const DEFAULT_FLAG_CACHE_SECONDS = 15;
