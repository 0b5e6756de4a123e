/**
 * Small statistics over benchmark samples. Every headline figure is a ratio of two measurements
 * taken in the same run, so machine speed cancels out; these helpers keep that arithmetic in one
 * place (and under test).
 */

/** Median of the samples (mean of the two middle ones for an even count). */
export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/**
 * The p-th percentile (0–100) by linear interpolation between closest ranks.
 * @throws RangeError when there are no samples or `p` is outside 0–100
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError('percentile of no samples: measure at least once');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0-100, got ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (rank - low);
}

/** Arithmetic mean. @throws RangeError when there are no samples */
export function mean(samples: readonly number[]): number {
  if (samples.length === 0) throw new RangeError('mean of no samples: measure at least once');
  return samples.reduce((sum, x) => sum + x, 0) / samples.length;
}

/** Items per second for `count` items done in `elapsedMs`. @throws RangeError for a non-positive time */
export function perSecond(count: number, elapsedMs: number): number {
  if (!(elapsedMs > 0)) throw new RangeError(`elapsed time must be positive, got ${elapsedMs} ms`);
  return (count * 1000) / elapsedMs;
}

/**
 * `numerator / denominator`, or `null` when the denominator is zero or either side is not a finite
 * number (a figure that could not be measured stays visibly missing instead of becoming Infinity).
 */
export function ratio(numerator: number, denominator: number): number | null {
  if (!Number.isFinite(numerator) || !Number.isFinite(denominator) || denominator === 0) return null;
  return numerator / denominator;
}

/** Rounds to `digits` significant digits for display and JSON (keeps results files readable). */
export function round(value: number, digits = 3): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  return Number(value.toPrecision(digits));
}

/** A goal on a ratio: met when the measured ratio is on the right side of the bound. */
export interface Goal {
  readonly op: '>=' | '<=';
  readonly bound: number;
}

/** Whether `value` meets `goal`; a missing value never does. */
export function meetsGoal(value: number | null, goal: Goal): boolean {
  if (value === null) return false;
  return goal.op === '>=' ? value >= goal.bound : value <= goal.bound;
}
