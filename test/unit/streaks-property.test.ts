import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemorySequenceStore } from '../../lambda/statistics/domain/memory-sequence.ts';
import {
  gameScope,
  OVERALL_SCOPE,
  type Placement,
  placementOps,
  placementsOf,
} from '../../lambda/statistics/domain/placement.ts';
import {
  type Outcome,
  type SequenceMatch,
  sequenceFromMatches,
  streaksOf,
  streaksOfSummary,
} from '../../lambda/statistics/domain/sequence.ts';
import type { SequenceOp } from '../../lambda/statistics/domain/streaks.ts';
import { commit, instant } from './streaks-fixture.ts';

/** A match of the model: the set the stored sequences must always stand for. */
interface ModelMatch {
  readonly matchId: string;
  readonly minute: number;
  readonly outcome: Outcome;
  readonly game: string | undefined;
}

type ActionKind = 'add' | 'remove' | 'outcome' | 'move' | 'game';

interface Action {
  readonly kind: ActionKind;
  readonly pick: number;
  readonly minute: number;
  readonly append: boolean;
  readonly outcome: Outcome;
  readonly game: string | undefined;
}

const SCOPES = [OVERALL_SCOPE, gameScope('a'), gameScope('b')];
const outcomeArb = fc.constantFrom<Outcome>('W', 'W', 'L', 'D');
const gameArb = fc.constantFrom<string | undefined>('a', 'b', undefined);
const actionArb: fc.Arbitrary<Action> = fc.record({
  kind: fc.constantFrom<ActionKind>('add', 'add', 'add', 'remove', 'outcome', 'move', 'game'),
  pick: fc.nat(),
  minute: fc.integer({ min: -10, max: 200 }),
  append: fc.boolean(),
  outcome: outcomeArb,
  game: gameArb,
});

function placements(match: ModelMatch | undefined): Placement[] {
  if (!match) return [];
  const { matchId, outcome, game } = match;
  return placementsOf({ matchId, firstAt: instant(match.minute), rank: '', outcome, gameId: game });
}

/** The model after one action, and the sequence operations it needs. */
function act(model: Map<string, ModelMatch>, action: Action): SequenceOp[] {
  const ids = [...model.keys()];
  const picked = ids.length > 0 ? model.get(ids[action.pick % ids.length] as string) : undefined;
  const newest = Math.max(0, ...[...model.values()].map((m) => m.minute));
  const minute = action.append ? newest + 1 + (action.minute % 3 === 0 ? 0 : 1) : action.minute;
  let before: ModelMatch | undefined = picked;
  let after: ModelMatch | undefined;
  if (action.kind === 'add' || !picked) {
    before = undefined;
    after = {
      matchId: `n${model.size}x${action.pick % 997}`,
      minute,
      outcome: action.outcome,
      game: action.game,
    };
    if (model.has(after.matchId)) return [];
  } else if (action.kind === 'outcome') after = { ...picked, outcome: action.outcome };
  else if (action.kind === 'move') after = { ...picked, minute };
  else if (action.kind === 'game') after = { ...picked, game: action.game };
  if (before) model.delete(before.matchId);
  if (after) model.set(after.matchId, after);
  return placementOps(placements(before), placements(after));
}

/** Each scope's matches in the model. */
function scopeMatches(model: ReadonlyMap<string, ModelMatch>, scope: string): SequenceMatch[] {
  return [...model.values()].flatMap((m) =>
    placements(m)
      .filter((p) => p.scope === scope)
      .map(({ pos, outcome }) => ({ pos, outcome })),
  );
}

function expectStoreToStandFor(store: MemorySequenceStore, model: ReadonlyMap<string, ModelMatch>): void {
  for (const scope of SCOPES) {
    const matches = scopeMatches(model, scope);
    const expected = sequenceFromMatches(matches);
    const stored = store.state(scope) ?? sequenceFromMatches([]);
    expect(stored).toEqual(expected);
    const outcomes = matches.sort((a, b) => (a.pos < b.pos ? -1 : 1)).map((m) => m.outcome);
    expect(streaksOfSummary(stored.summary)).toEqual(streaksOf(outcomes));
  }
}

/** A store and its model, from an initial set of matches loaded as repair would write them. */
function seeded(initial: readonly Action[]): { store: MemorySequenceStore; model: Map<string, ModelMatch> } {
  const model = new Map<string, ModelMatch>();
  for (const action of initial) act(model, { ...action, kind: 'add' });
  const store = new MemorySequenceStore();
  for (const scope of SCOPES) store.loadMatches(scope, scopeMatches(model, scope));
  return { store, model };
}

describe('the planner against the reference, for random histories and commits', () => {
  it('stores exactly what sequenceFromMatches gives for the resulting set, after every commit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(actionArb, { maxLength: 30 }),
        fc.array(fc.array(actionArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 25 }),
        async (initial, commits) => {
          // Prepare
          const { store, model } = seeded(initial);
          for (const actions of commits) {
            // Act: several actions, possibly on one match, planned as one commit
            const ops = actions.flatMap((action) => act(model, action));
            const plan = await commit(store, ops);
            // Assess
            expectStoreToStandFor(store, model);
            expect(plan.items.length).toBeLessThanOrEqual(2 * ops.length);
          }
        },
      ),
      { seed: 27, numRuns: 500 },
    );
  });

  it('reads at most three queries per operation, plus one per earlier removal stepped over and one refill per scope', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(actionArb, { maxLength: 40 }),
        fc.array(fc.array(actionArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 10 }),
        async (initial, commits) => {
          const { store, model } = seeded(initial);
          for (const actions of commits) {
            const ops = actions.flatMap((action) => act(model, action));
            const before = store.totalReads();
            await commit(store, ops);
            const removals = ops.filter((op) => op.kind === 'remove').length;
            const scopes = new Set(ops.map((op) => op.scope)).size;
            expect(store.totalReads() - before).toBeLessThanOrEqual(ops.length * (3 + 2 * removals) + scopes);
          }
        },
      ),
      { seed: 2027, numRuns: 300 },
    );
  });
});
