/** The value below which `q` of the sorted samples fall (nearest rank); NaN with no samples. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

/** Least-squares slope of y over x, per unit of x, and as a percentage of the mean of y. */
export function slope(points: readonly (readonly [number, number])[]): {
  perMinute: number;
  percentOfMeanPerMinute: number;
} {
  const usable = points.filter(([, y]) => Number.isFinite(y));
  const n = usable.length;
  if (n < 2) return { perMinute: Number.NaN, percentOfMeanPerMinute: Number.NaN };
  const mx = usable.reduce((s, [x]) => s + x, 0) / n;
  const my = usable.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = usable.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = usable.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const perMinute = sxx === 0 ? 0 : sxy / sxx;
  return { perMinute, percentOfMeanPerMinute: my === 0 ? 0 : (100 * perMinute) / my };
}
