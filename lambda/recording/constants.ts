/**
 * Recording's settings that the stack and the local stack read at synth or start time: pure
 * values, no SDK, no environment.
 */

/** Default seconds a flag value is cached: a change takes effect within this time. */
export const DEFAULT_FLAG_CACHE_SECONDS = 15;
