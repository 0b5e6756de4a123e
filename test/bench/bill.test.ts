import { describe, expect, it } from 'vitest';
import { ASSUMPTIONS, costTable, seasonFigures, writeUnitFigures } from '../../bench/lib/bill.ts';
import { costPerMillion, PRICES, type SeasonUsage } from '../../bench/lib/cost.ts';
import { itemSizeBytes, writeUnitsOf } from '../../bench/lib/item-size.ts';
import { deliveriesOf, eventChunks, PLAYERS, tournamentEvents } from '../../bench/scenarios/season-cost.ts';
import { acceptEvent } from '../../lambda/shared/contract/events.ts';

const usage: SeasonUsage = {
  events: 1000,
  deliveries: 1100,
  eventChunks: 1100,
  recordWrite: 3000,
  duplicateWrite: 150,
  statsWrite: 5000,
  statsRead: 2500,
  streamRecords: 1600,
  auditRead: 4000,
};

describe('the bill', () => {
  it('scales a season to a million events and prices each line', () => {
    const { lines, total } = costPerMillion(usage, {
      memoryMb: 512,
      recordingMs: 20,
      statsBatchMs: 60,
      recordsPerStatsBatch: 10,
      auditBatchMs: 40,
    });
    const byName = Object.fromEntries(lines.map((l) => [l.component, l]));
    expect(byName['DynamoDB writes: recording']?.units).toBe(3_000_000);
    expect(byName['DynamoDB writes: recording']?.usd).toBeCloseTo(3_000_000 * PRICES.dynamoWriteUnit);
    expect(byName['DynamoDB reads: audit of touched users']?.units).toBe(4_000_000);
    // Recording, and 160 batches to each of the stream's two readers.
    expect(byName['Lambda invocations']?.units).toBe(1_100_000 + 2 * 160_000);
    // (1,100 × 20 ms + 160 batches × (60 + 40) ms) × 0.5 GB, times 1,000.
    expect(byName['Lambda duration']?.units).toBeCloseTo((1100 * 0.02 + 160 * 0.1) * 0.5 * 1000);
    expect(byName['DynamoDB stream reads (Lambda trigger)']?.usd).toBe(0);
    expect(total).toBeCloseTo(lines.reduce((s, l) => s + l.usd, 0));
  });

  it('renders ours beside the Powertools pattern with the prices and assumptions', () => {
    const table = costTable({ tournaments: 1, ours: usage, powertools: { ...usage, recordWrite: 5000 } });
    expect(table).toMatch(
      /\| DynamoDB writes: recording \| 3,000,000 write units \| \$1\.875 \| 5,000,000 \| \$3\.125 \|/,
    );
    expect(table).toMatch(/Assumed: 512 MB functions/);
  });

  it('holds the cost per million season events to its goal of 10 dollars', () => {
    const cost = seasonFigures({ tournaments: 1, ours: usage, powertools: usage }).find(
      (figure) => figure.id === 'season.costPerMillion',
    );
    expect(cost).toMatchObject({ id: 'season.costPerMillion', goal: { op: '<=', bound: 10 }, unit: 'USD' });
    expect(cost?.value).toBeCloseTo(costPerMillion(usage, ASSUMPTIONS).total);
  });

  it('states the growth goal as the ratio of write units per user at the most and fewest participants', () => {
    const row = (participants: number, record: number) => ({
      participants,
      recordTable: record / 2,
      recordIndex: record / 2,
      duplicate: 1,
      statsWrite: 6,
      statsWriteReported: 2,
      statsRead: 3,
      previousShape: 4,
    });
    const figures = writeUnitFigures({
      idLength: 64,
      byParticipants: [row(2, 2), row(1000, 2.2)],
      statistics: [
        {
          label: 'CheckInToggled',
          writeUnits: 6,
          writeUnitsReported: 2,
          items: 3,
          readUnits: 3,
          requests: 2,
        },
      ],
      matchPerUser: 2,
      matchDuplicatePerUser: 1,
    });
    const growth = figures.find((f) => f.id === 'wu.growth');
    expect(growth).toMatchObject({ goal: { op: '<=', bound: 1.2 } });
    expect(growth?.value).toBeCloseTo(1.1);
    expect(figures.find((f) => f.id === 'wu.n1000.recordPerEvent')?.value).toBeCloseTo(2200);
    expect(figures.find((f) => f.id === 'wu.stats.0.write')).toMatchObject({
      label: 'CheckInToggled: write units, as billed',
      value: 6,
    });
  });
});

describe('item sizes as DynamoDB bills them', () => {
  it('adds attribute names and values, plain or marshalled alike', () => {
    const item = { userId: 'u1', n: 12345, ok: true, m: { a: 'xy' } };
    // userId 6+2, n 1+4 (5 digits: 3+1), ok 2+1, m 1 + (3 + 1 + 1 + 2).
    expect(itemSizeBytes(item)).toBe(8 + 5 + 3 + 8);
    expect(itemSizeBytes({ userId: { S: 'u1' } })).toBe(8);
    expect([writeUnitsOf(1), writeUnitsOf(1024), writeUnitsOf(1025)]).toEqual([1, 1, 2]);
  });
});

describe('the season mix', () => {
  it('is a valid single-elimination tournament: every event accepted, one completion naming every player', () => {
    const events = tournamentEvents(0, Date.parse('2026-03-01T00:00:00Z'));
    const accepted = events.map((e) => acceptEvent(e));
    expect(new Set(accepted.map((a) => a.idempotencyKey)).size).toBe(events.length);
    const finals = accepted.filter(
      (a) => a.detailType === 'MatchFinalized' && a.detail.resolution === 'completed',
    );
    expect(finals).toHaveLength(PLAYERS - 1);
    expect(accepted.at(-1)?.userIds).toHaveLength(PLAYERS);
    expect(deliveriesOf(events)).toHaveLength(events.length + Math.ceil(events.length / 10));
    expect(eventChunks(events[0] as never)).toBe(1);
  });
});
