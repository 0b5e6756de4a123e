import type { StopConditionSettings } from '../constants.ts';

/** Integration errors and events handled over one period (or since a rollout started, locally). */
export interface ErrorRateSample {
  /** Recording errors, deliveries given up, statistics failures. */
  readonly errors: number;
  readonly handled: number;
}

/**
 * Whether one period breaches the error-rate condition: the same formula as the deployed alarm's
 * metric math, `IF(handled >= floor, 100 * errors / handled, 0) > threshold`.
 */
export function errorRateBreaches(sample: ErrorRateSample, settings: StopConditionSettings): boolean {
  if (sample.handled < settings.errorRateMinEvents || sample.handled === 0) return false;
  return (100 * sample.errors) / sample.handled > settings.errorRateThresholdPercent;
}
