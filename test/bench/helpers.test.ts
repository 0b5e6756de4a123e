import { describe, expect, it } from 'vitest';
import { finalize, markdownTables, textTable } from '../../bench/lib/report.ts';
import { median, meetsGoal, percentile, perSecond, ratio, round } from '../../bench/lib/stats.ts';
import { barChart, escapeXml, lineChart } from '../../bench/lib/svg.ts';
import { redeliveries, singleUserEvents } from '../../bench/lib/workload.ts';
import { season } from '../../bench/scenarios/end-to-end.ts';
import { slices } from '../../bench/scenarios/recording.ts';
import { EVENT_TYPES } from '../../lambda/shared/contract/event-types.ts';
import { acceptEvent } from '../../lambda/shared/contract/events.ts';

describe('benchmark statistics', () => {
  it('takes the middle sample, or the mean of the two middle ones', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('interpolates percentiles between ranks', () => {
    expect(percentile([10, 20, 30, 40, 50], 0)).toBe(10);
    expect(percentile([10, 20, 30, 40, 50], 100)).toBe(50);
    expect(percentile([10, 20], 25)).toBe(12.5);
  });

  it('refuses to summarise no samples instead of returning NaN', () => {
    expect(() => median([])).toThrow(RangeError);
    expect(() => perSecond(10, 0)).toThrow(RangeError);
  });

  it('computes throughput and ratios, leaving an unmeasurable ratio missing', () => {
    expect(perSecond(500, 250)).toBe(2000);
    expect(ratio(850, 1000)).toBe(0.85);
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(Number.NaN, 1)).toBeNull();
  });

  it('judges goals on either side and never passes a missing value', () => {
    expect(meetsGoal(0.85, { op: '>=', bound: 0.85 })).toBe(true);
    expect(meetsGoal(0.84, { op: '>=', bound: 0.85 })).toBe(false);
    expect(meetsGoal(1.5, { op: '<=', bound: 1.5 })).toBe(true);
    expect(meetsGoal(null, { op: '<=', bound: 1.5 })).toBe(false);
  });

  it('rounds to significant digits', () => {
    expect(round(1234.5678, 3)).toBe(1230);
    expect(round(0.0123456, 2)).toBe(0.012);
  });
});

describe('benchmark workload', () => {
  it('generates single-user events of every declared type that the contract accepts', () => {
    const events = singleUserEvents({ count: EVENT_TYPES.length * 2, runId: 'x' });
    const accepted = events.map((e) => acceptEvent(e));
    expect(new Set(accepted.map((a) => a.detailType))).toEqual(new Set(EVENT_TYPES.map((t) => t.detailType)));
    for (const a of accepted) expect(a.userIds).toHaveLength(1);
    expect(new Set(accepted.map((a) => `${a.userIds[0]}|${a.idempotencyKey}`)).size).toBe(events.length);
  });

  it('redelivers the same actions under new event ids', () => {
    const events = singleUserEvents({ count: 8, runId: 'y' });
    const again = redeliveries(events);
    again.forEach((e, i) => {
      const original = acceptEvent(events[i]);
      const retried = acceptEvent(e);
      expect(retried.eventId).not.toBe(original.eventId);
      expect(retried.idempotencyKey).toBe(original.idempotencyKey);
      expect(retried.payloadHash).toBe(original.payloadHash);
    });
  });

  it('builds a season with the asked share of duplicates, each a copy of an earlier action', () => {
    const { entries, distinct } = season(1000, 0.1);
    expect(entries).toHaveLength(1000);
    expect(distinct).toBe(900);
    const details = entries.map((e) => e.Detail);
    expect(new Set(details).size).toBe(900);
    const seen = new Set<string | undefined>();
    let repeats = 0;
    for (const d of details) {
      if (seen.has(d)) repeats += 1;
      seen.add(d);
    }
    expect(repeats).toBe(100);
  });

  it('splits events into interleaving rounds that cover each index once', () => {
    expect(slices(10, 3)).toEqual([
      [0, 4],
      [4, 8],
      [8, 10],
    ]);
    expect(slices(5, 1)).toEqual([[0, 5]]);
  });
});

describe('benchmark report', () => {
  const figures = [
    {
      id: 'a',
      section: 'Recording',
      label: 'handler / raw',
      value: 0.9123,
      unit: 'ratio',
      goal: { op: '>=', bound: 0.85 },
    },
    { id: 'b', section: 'Recording', label: 'raw | floor', value: 1234.5, unit: 'events/s' },
    {
      id: 'c',
      section: 'Cold start',
      label: 'ready / reference',
      value: 1.4,
      unit: 'ratio',
      goal: { op: '<=', bound: 1.3 },
    },
  ] as const;

  it('marks goals met and missed', () => {
    const [met, , missed] = figures.map(finalize);
    expect(met?.met).toBe(true);
    expect(missed?.met).toBe(false);
  });

  it('prints every figure under its section with its goal verdict', () => {
    const text = textTable(figures);
    expect(text).toMatch(/Recording\n.*handler \/ raw\s+0\.91×\s+≥ 0\.85\s+yes/);
    expect(text).toMatch(/ready \/ reference\s+1\.40×\s+≤ 1\.3\s+NO/);
    expect(text).toContain('1,235');
  });

  it('writes Markdown tables with pipes in labels escaped', () => {
    const md = markdownTables(figures);
    expect(md).toContain('### Recording');
    expect(md).toContain('### Cold start');
    expect(md).toContain('raw \\| floor');
  });
});

describe('benchmark charts', () => {
  it('escapes text for SVG', () => {
    expect(escapeXml(`a<b & "c"`)).toBe('a&lt;b &amp; &quot;c&quot;');
  });

  it('draws one line and one labelled point per measured value', () => {
    const svg = lineChart({
      title: 'cost <vs> history',
      xLabel: 'N',
      yLabel: 'ms',
      categories: ['10', '100', '1,000'],
      series: [
        { name: 'ours', values: [5, 5.2, 5.1] },
        { name: 'recompute', values: [6, 40, null] },
      ],
      logY: true,
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg.match(/<circle/g)).toHaveLength(5);
    expect(svg).toContain('cost &lt;vs&gt; history');
    expect(svg).toContain('(log scale)');
  });

  it('colours a bar by whether it meets its goal', () => {
    const svg = barChart({
      title: 'ratios',
      unit: '×',
      bars: [
        { label: 'met', value: 0.9, goal: { op: '>=', bound: 0.85 } },
        { label: 'missed', value: 1.4, goal: { op: '<=', bound: 1.3 } },
        { label: 'absent', value: null },
      ],
    });
    expect(svg).toContain('fill="#1a7f37"');
    expect(svg).toContain('fill="#d1242f"');
    expect(svg).toContain('not measured');
  });

  it('renders the same figures to the same bytes', () => {
    const options = { title: 't', unit: '×', bars: [{ label: 'x', value: 2 }] };
    expect(barChart(options)).toBe(barChart(options));
  });
});
