import { describe, expect, inject, it } from 'vitest';
import { runChaos } from '../../scripts/reliability/chaos.ts';

/** CI size: a fixed seed and run count; `npm run chaos -- --runs N --seed S` runs more. */
const CI_RUNS = 8;
const CI_SEED = 20260501;

describe('the whole local pipeline under chaos', () => {
  it('ends with one activity per admitted (user, key), statistics overall and per game (streaks included) equal to the contract, every broken event dead-lettered and nothing of users erased mid-run', async () => {
    // Act
    const figures = await runChaos({
      dynamodbEndpoint: inject('dynamoEndpoint'),
      runs: CI_RUNS,
      seed: CI_SEED,
      // A failing run says what differed.
      log: (line) => {
        if (/^mismatch |(losses|doubles|mismatches|missing dead letters|given up|leftovers) [1-9]/.test(line))
          console.log(line);
      },
    });
    console.log(`reliability chaos: ${JSON.stringify(figures)}`);

    // Assess: the faults really happened, and none of them cost or doubled anything
    expect(figures.runs).toBe(CI_RUNS);
    expect(figures.duplicates).toBeGreaterThan(0);
    expect(figures.recordFaultsBeforeWrite + figures.recordFaultsAfterWrite).toBeGreaterThan(0);
    expect(figures.statisticsFaults).toBeGreaterThan(0);
    expect(figures.consumerRestarts).toBeGreaterThan(0);
    expect(figures.erasures).toBeGreaterThan(0);
    expect(figures.gameStatisticsChecked).toBeGreaterThan(0);
    expect({
      losses: figures.losses,
      doubles: figures.doubles,
      statsMismatches: figures.statsMismatches,
      missingDeadLetters: figures.missingDeadLetters,
      givenUp: figures.givenUp,
      erasedLeftovers: figures.erasedLeftovers,
    }).toEqual({
      losses: 0,
      doubles: 0,
      statsMismatches: 0,
      missingDeadLetters: 0,
      givenUp: 0,
      erasedLeftovers: 0,
    });
  }, 900_000);
});
