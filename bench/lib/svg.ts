/**
 * Hand-rolled SVG charts for the results page: plain markup, no chart library, deterministic output
 * (the same figures give byte-identical files, so a re-run only changes what changed).
 */

/** Escapes text for SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' }[c]};`,
  );
}

/** A number as chart text: few digits, no exponent for everyday magnitudes. */
export function formatNumber(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 10) return value.toFixed(0);
  if (abs >= 1) return value.toFixed(2).replace(/\.?0+$/, '');
  return value.toPrecision(2);
}

const PALETTE = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700'] as const;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"';

/** One line of a line chart; `null` marks a point that was not measured. */
export interface Series {
  readonly name: string;
  readonly values: readonly (number | null)[];
}

/** Options of {@link lineChart}. */
export interface LineChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** X positions, evenly spaced (history sizes 10, 100, ... read as a log axis). */
  readonly categories: readonly string[];
  readonly series: readonly Series[];
  /** Logarithmic y axis: needed when the lines differ by orders of magnitude. */
  readonly logY?: boolean;
  readonly width?: number;
  readonly height?: number;
}

/** Powers of ten covering [min, max]. */
function decades(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) ticks.push(10 ** e);
  return ticks;
}

/** About five round ticks from 0 to at least `max`. */
function linearTicks(max: number): number[] {
  const raw = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let t = 0; t <= max + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
  if ((ticks.at(-1) ?? 0) < max) ticks.push(Number(((ticks.at(-1) ?? 0) + step).toPrecision(12)));
  return ticks;
}

/** The opening of a chart: the root element, a white background and the title. */
function chartHeader(width: number, height: number, title: string): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(title)}</text>`,
  ];
}

/** Where a line chart draws: the plot area, the y ticks and the two coordinate mappings. */
interface LinePlot {
  readonly m: Readonly<Record<'top' | 'right' | 'bottom' | 'left', number>>;
  readonly plotW: number;
  readonly plotH: number;
  readonly ticks: readonly number[];
  readonly x: (i: number) => number;
  readonly y: (v: number) => number;
}

/** The plot area and scales of a line chart, the y axis covering every positive value. */
function linePlot(options: LineChartOptions, width: number, height: number): LinePlot {
  const { categories, series, logY = false } = options;
  const m = { top: 48, right: 24, bottom: 56, left: 72 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const values = series.flatMap((s) => s.values.filter((v): v is number => v !== null && v > 0));
  const lo = values.length ? Math.min(...values) : 1;
  const hi = values.length ? Math.max(...values) : 1;
  const ticks = logY ? decades(lo, hi) : linearTicks(hi);
  const tMin = logY ? (ticks[0] ?? 1) : 0;
  const tMax = ticks.at(-1) ?? 1;
  const y = (v: number) =>
    m.top +
    plotH -
    (logY
      ? ((Math.log10(v) - Math.log10(tMin)) / (Math.log10(tMax) - Math.log10(tMin) || 1)) * plotH
      : (v / (tMax || 1)) * plotH);
  const x = (i: number) =>
    m.left + (categories.length > 1 ? (i / (categories.length - 1)) * plotW : plotW / 2);
  return { m, plotW, plotH, ticks, x, y };
}

/** Grid lines with their values, the category labels, the x axis and both axis titles. */
function lineAxes(options: LineChartOptions, plot: LinePlot, height: number): string[] {
  const { m, plotW, plotH, x, y } = plot;
  const out: string[] = [];
  for (const t of plot.ticks) {
    const ty = y(t).toFixed(1);
    out.push(
      `<line x1="${m.left}" y1="${ty}" x2="${m.left + plotW}" y2="${ty}" stroke="#d0d7de" stroke-width="1"/>`,
      `<text x="${m.left - 8}" y="${ty}" text-anchor="end" dominant-baseline="middle" fill="#57606a">${formatNumber(t)}</text>`,
    );
  }
  options.categories.forEach((c, i) => {
    out.push(
      `<text x="${x(i).toFixed(1)}" y="${m.top + plotH + 20}" text-anchor="middle" fill="#57606a">${escapeXml(c)}</text>`,
    );
  });
  out.push(
    `<line x1="${m.left}" y1="${m.top + plotH}" x2="${m.left + plotW}" y2="${m.top + plotH}" stroke="#57606a"/>`,
    `<text x="${m.left + plotW / 2}" y="${height - 12}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text x="18" y="${m.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 18 ${m.top + plotH / 2})">${escapeXml(options.yLabel)}${options.logY ? ' (log scale)' : ''}</text>`,
  );
  return out;
}

/** One series: its line, its labelled points and its legend entry (the `index`-th). */
function lineSeries(s: Series, index: number, plot: LinePlot, logY: boolean): string[] {
  const { m, x, y } = plot;
  const color = PALETTE[index % PALETTE.length];
  const out: string[] = [];
  const points = s.values
    .map((v, i) => (v !== null && (!logY || v > 0) ? { px: x(i), py: y(v), v } : undefined))
    .filter((p) => p !== undefined);
  if (points.length > 1)
    out.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.map((p) => `${p.px.toFixed(1)},${p.py.toFixed(1)}`).join(' ')}"/>`,
    );
  for (const p of points)
    out.push(
      `<circle cx="${p.px.toFixed(1)}" cy="${p.py.toFixed(1)}" r="3.5" fill="${color}"/>`,
      `<text x="${p.px.toFixed(1)}" y="${(p.py - 8).toFixed(1)}" text-anchor="middle" fill="${color}">${formatNumber(p.v)}</text>`,
    );
  const ly = m.top + 4 + index * 18;
  out.push(
    `<rect x="${m.left + 10}" y="${ly - 5}" width="14" height="4" fill="${color}"/>`,
    `<text x="${m.left + 30}" y="${ly}" dominant-baseline="middle">${escapeXml(s.name)}</text>`,
  );
  return out;
}

/** A line chart with points, value labels and a legend. */
export function lineChart(options: LineChartOptions): string {
  const width = options.width ?? 640;
  const height = options.height ?? 380;
  const plot = linePlot(options, width, height);
  const out = [
    ...chartHeader(width, height, options.title),
    ...lineAxes(options, plot, height),
    ...options.series.flatMap((s, i) => lineSeries(s, i, plot, options.logY ?? false)),
    '</svg>',
  ];
  return `${out.join('\n')}\n`;
}

/** One bar of a bar chart, with the goal it is held to. */
export interface Bar {
  readonly label: string;
  readonly value: number | null;
  readonly goal?: { readonly op: '>=' | '<='; readonly bound: number } | undefined;
}

/** Options of {@link barChart}. */
export interface BarChartOptions {
  readonly title: string;
  readonly unit: string;
  readonly bars: readonly Bar[];
  readonly width?: number;
}

/** Horizontal bars with a dashed goal marker per bar: green when the goal is met, red when not. */
export function barChart(options: BarChartOptions): string {
  const { title, unit, bars } = options;
  const width = options.width ?? 640;
  const rowH = 30;
  const m = { top: 44, right: 80, bottom: 34, left: 250 };
  const height = m.top + m.bottom + bars.length * rowH;
  const plotW = width - m.left - m.right;
  const max = Math.max(1, ...bars.flatMap((b) => [b.value ?? 0, b.goal?.bound ?? 0])) * 1.05;
  const x = (v: number) => m.left + (v / max) * plotW;
  const out = chartHeader(width, height, title);
  bars.forEach((bar, i) => {
    const top = m.top + i * rowH;
    const met =
      bar.value !== null &&
      (bar.goal === undefined ||
        (bar.goal.op === '>=' ? bar.value >= bar.goal.bound : bar.value <= bar.goal.bound));
    const color = bar.goal === undefined ? '#1f6feb' : met ? '#1a7f37' : '#d1242f';
    out.push(
      `<text x="${m.left - 8}" y="${top + rowH / 2}" text-anchor="end" dominant-baseline="middle">${escapeXml(bar.label)}</text>`,
    );
    if (bar.value !== null)
      out.push(
        `<rect x="${m.left}" y="${top + 6}" width="${Math.max(1, x(bar.value) - m.left).toFixed(1)}" height="${rowH - 12}" fill="${color}"/>`,
        `<text x="${(x(bar.value) + 6).toFixed(1)}" y="${top + rowH / 2}" dominant-baseline="middle">${formatNumber(bar.value)}${escapeXml(unit)}</text>`,
      );
    else
      out.push(
        `<text x="${m.left + 6}" y="${top + rowH / 2}" dominant-baseline="middle" fill="#57606a">not measured</text>`,
      );
    if (bar.goal)
      out.push(
        `<line x1="${x(bar.goal.bound).toFixed(1)}" y1="${top + 2}" x2="${x(bar.goal.bound).toFixed(1)}" y2="${top + rowH - 2}" stroke="#24292f" stroke-width="1.5" stroke-dasharray="3 2"/>`,
      );
  });
  out.push(
    `<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + bars.length * rowH}" stroke="#57606a"/>`,
    `<text x="${m.left}" y="${height - 10}" fill="#57606a">dashed line: goal; green: goal met, red: goal missed</text>`,
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}
