import type {
  AlarmComparison,
  AlarmDefinition,
  MetricDefinition,
  SignalDefinition,
} from '../../shared/observability.ts';

/**
 * How a declared stop condition turns metric values into a breach, exactly as the deployed alarm's
 * metric math does (infra/constructs/alarm-definitions.ts renders the same declaration): the local
 * stack's alarm evaluator (local/alarm-evaluator.ts) computes each period with these.
 */

/** Whether `value` breaches `threshold` under `comparison`. */
export function compare(comparison: AlarmComparison, value: number, threshold: number): boolean {
  if (comparison === 'GreaterThanThreshold') return value > threshold;
  if (comparison === 'GreaterThanOrEqualToThreshold') return value >= threshold;
  return value < threshold;
}

/** Whether one period's value breaches a definition's threshold. */
export function breaches(definition: AlarmDefinition, value: number): boolean {
  return compare(definition.comparison, value, definition.threshold);
}

/**
 * A signal's value for one period from its metrics' values (`undefined`: no datapoint), exactly as
 * the deployed metric math computes it: every metric read through `FILL(m, 0)`.
 */
export function signalValue(
  signal: SignalDefinition,
  read: (metric: MetricDefinition) => number | undefined,
): number {
  const filled = (metric: MetricDefinition) => read(metric) ?? 0;
  switch (signal.form) {
    case 'metric':
      return filled(signal.metric);
    case 'worst':
      return Math.max(0, ...signal.metrics.map(filled));
    case 'total':
      return signal.metrics.reduce((sum, metric) => sum + filled(metric), 0);
    case 'ratio': {
      const denominator = filled(signal.denominator);
      if (denominator < signal.minDenominator || denominator === 0) return 0;
      return (100 * signal.numerator.reduce((sum, metric) => sum + filled(metric), 0)) / denominator;
    }
  }
}
