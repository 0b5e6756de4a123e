import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchWriteAll } from '../../lambda/shared/aws/batch.ts';
import { documentClient } from '../../lambda/shared/aws/dynamodb.ts';
import { DynamoSequenceReader } from '../../lambda/statistics/adapters/sequence-reader.ts';
import { MemorySequenceStore } from '../../lambda/statistics/domain/memory-sequence.ts';
import { type Outcome, positionOf, sequenceFromMatches } from '../../lambda/statistics/domain/sequence.ts';
import { sequenceChanges } from '../../lambda/statistics/domain/sequence-items.ts';
import { localDynamoClient } from '../../local/clients.ts';
import { ProjectionRig } from '../support/projection.ts';
import { sharedFixture } from '../support/shared.ts';
import { minuteAt } from '../unit/stats-fixture.ts';

const rig = sharedFixture(ProjectionRig.start, (started) => started.close());

/** Match ids that are prefixes of one another, and instants shared by several matches: the bounds' edge cases. */
const matchArb = fc.record({
  minute: fc.integer({ min: 0, max: 6 }),
  id: fc.constantFrom('m', 'm1', 'm10', 'm1-', 'm1.', 'm1_', 'mZ', 'A', 'z9', 'm2'),
  outcome: fc.constantFrom<Outcome>('W', 'W', 'L', 'D'),
});

const SCOPES = ['all', 'game:valorant', 'game:valorant2'];

describe('the DynamoDB sequence reader', () => {
  it('answers every query as the in-memory reference does, whatever else the partition holds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...SCOPES), matchArb), { maxLength: 40 }),
        fc.array(fc.tuple(fc.constantFrom(...SCOPES), matchArb, fc.nat({ max: 6 })), {
          minLength: 5,
          maxLength: 10,
        }),
        async (placed, probes) => {
          // Prepare: the same sequences in memory and as items of one user, beside other items
          const userId = `${rig.nextPrefix()}u`;
          const memory = new MemorySequenceStore();
          const writes = [];
          for (const scope of SCOPES) {
            const byPos = new Map(
              placed
                .filter(([s]) => s === scope)
                .map(([, m]) => [positionOf(minuteAt(m.minute), m.id), m.outcome]),
            );
            const state = sequenceFromMatches([...byPos].map(([pos, outcome]) => ({ pos, outcome })));
            memory.load(scope, state);
            for (const pos of state.wins)
              writes.push({ scope, pos, expected: undefined, next: { kind: 'win' } as const });
            for (const b of state.breaks)
              writes.push({ scope, pos: b.pos, expected: undefined, next: { kind: 'break', ...b } as const });
          }
          const puts = writes
            .flatMap((w) => sequenceChanges(userId, w))
            .flatMap((c) => ('put' in c ? [c.put] : []));
          const others = ['STATS', 'GAME#valorant', 'APPLIED#x', 'MATCH#m1', 'TOURNAMENT#t', 'C#z', 'X'].map(
            (sk) => ({ userId, sk }),
          );
          await batchWriteAll(
            rig.db.doc,
            rig.db.names.stats,
            [...puts, ...others].map((Item) => ({ PutRequest: { Item } })),
            {
              action: 'seeding sequences',
            },
          );
          const dynamo = new DynamoSequenceReader(rig.db.doc, rig.db.names.stats, userId);

          for (const [scope, probe, n] of probes) {
            const pos = positionOf(minuteAt(probe.minute), probe.id);
            const other = placed[n % Math.max(1, placed.length)]?.[1];
            const after = other && positionOf(minuteAt(other.minute), other.id);
            // Act and assess
            expect(await dynamo.nextBreak(scope, pos)).toEqual(await memory.nextBreak(scope, pos));
            expect(await dynamo.prevBreak(scope, pos)).toEqual(await memory.prevBreak(scope, pos));
            expect(await dynamo.breakAt(scope, pos)).toEqual(await memory.breakAt(scope, pos));
            expect(await dynamo.countWins(scope, undefined, pos)).toBe(
              await memory.countWins(scope, undefined, pos),
            );
            if (after !== undefined && after < pos)
              expect(await dynamo.countWins(scope, after, pos)).toBe(
                await memory.countWins(scope, after, pos),
              );
            expect(await dynamo.lastMatches(scope, pos, n)).toEqual(await memory.lastMatches(scope, pos, n));
            expect(await dynamo.lastMatches(scope, undefined, n)).toEqual(
              await memory.lastMatches(scope, undefined, n),
            );
          }
        },
      ),
      { seed: 31, numRuns: 25 },
    );
  });

  it('counts the wins of a run longer than one page of a Query', async () => {
    // Prepare: 12,000 wins (about 1.2 MB of keys, so the count takes two pages), then a loss
    const userId = `${rig.nextPrefix()}u`;
    const pos = (i: number) =>
      positionOf(minuteAt(i), `match-with-a-long-id-to-fill-pages-${String(i).padStart(6, '0')}`);
    const wins = Array.from({ length: 12_000 }, (_, i) =>
      sequenceChanges(userId, { scope: 'all', pos: pos(i), expected: undefined, next: { kind: 'win' } }),
    ).flatMap((changes) => changes.flatMap((c) => ('put' in c ? [{ PutRequest: { Item: c.put } }] : [])));
    await batchWriteAll(rig.db.doc, rig.db.names.stats, wins, { action: 'seeding wins' });

    // Act: through a client that counts its requests
    const client = localDynamoClient(rig.db.endpoint);
    let queries = 0;
    client.middlewareStack.add(
      (next) => (args) => {
        queries += 1;
        return next(args);
      },
      { step: 'initialize' },
    );
    const counted = await new DynamoSequenceReader(
      documentClient(client),
      rig.db.names.stats,
      userId,
    ).countWins('all', undefined, pos(12_000));
    client.destroy();

    // Assess
    expect(queries).toBeGreaterThan(1);
    expect(counted).toBe(12_000);
  });
});
