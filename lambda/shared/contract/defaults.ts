/**
 * The contract's defaults (the event source, the flag parameter's name), in a module of their own:
 * configuration code imports them without pulling the event schemas (and zod) into its bundle.
 */

/** The default EventBridge `source` of tournament events. */
export const DEFAULT_EVENT_SOURCE = 'tournaments';

/** The default name of the SSM parameter that holds the flag. */
export const DEFAULT_FLAG_PARAMETER_NAME = '/tournament-profile/integration-enabled';
