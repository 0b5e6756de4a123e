import type { RolloutPlan } from '../lambda/rollout/domain/rollout.ts';
import type { LocalAudit } from './audit.ts';
import { AwsServiceError } from './errors.ts';
import type { LocalRollout } from './rollout.ts';

/** `X-Amz-Target`s of the local rollout operations. */
export const LOCAL_ROLLOUT_TARGETS = {
  start: 'TournamentProfileLocal.StartRollout',
  describe: 'TournamentProfileLocal.DescribeRollout',
  stop: 'TournamentProfileLocal.StopRollout',
  /** Runs one audit sweep now (the deployed schedule runs it every period). */
  audit: 'TournamentProfileLocal.RunAudit',
} as const;

const numbers = (value: unknown) => Array.isArray(value) && value.every((n) => typeof n === 'number');

function planFrom(input: Record<string, unknown>): { plan: RolloutPlan; sliceSeconds?: number } {
  const { Steps, WaitsMs, SliceSeconds, BakeMs } = input;
  if (!numbers(Steps) || !numbers(WaitsMs))
    throw new AwsServiceError('ValidationException', 'Steps and WaitsMs must be arrays of numbers.');
  if (SliceSeconds !== undefined && (typeof SliceSeconds !== 'number' || SliceSeconds < 1))
    throw new AwsServiceError('ValidationException', 'SliceSeconds must be a number ≥ 1.');
  if (BakeMs !== undefined && (typeof BakeMs !== 'number' || BakeMs < 0))
    throw new AwsServiceError('ValidationException', 'BakeMs must be a number ≥ 0.');
  return {
    plan: {
      steps: Steps as number[],
      waitsMs: WaitsMs as number[],
      ...(BakeMs !== undefined ? { bakeMs: BakeMs as number } : {}),
    },
    ...(SliceSeconds !== undefined ? { sliceSeconds: SliceSeconds as number } : {}),
  };
}

/** The AWS error a refused start becomes, by the rollout error's name. */
const START_ERRORS: Readonly<Record<string, string>> = {
  RolloutConflictError: 'ExecutionAlreadyExists',
  RolloutPlanError: 'ValidationException',
  RaiseRefusedError: 'ValidationException',
  StopConditionMissingError: 'ValidationException',
};

/** The local endpoint's rollout and audit operations, answering like an AWS JSON API. */
export function rolloutOperations(
  rollout: LocalRollout,
  audit: LocalAudit,
): Record<string, (input: Record<string, unknown>) => unknown> {
  return {
    [LOCAL_ROLLOUT_TARGETS.start]: async (input) => {
      const { plan, sliceSeconds } = planFrom(input);
      try {
        return { Rollout: await rollout.start(plan, sliceSeconds) };
      } catch (error) {
        const type = START_ERRORS[(error as Error).name];
        if (type) throw new AwsServiceError(type, (error as Error).message);
        throw error;
      }
    },
    [LOCAL_ROLLOUT_TARGETS.describe]: async () => ({ Rollout: (await rollout.describe()) ?? null }),
    [LOCAL_ROLLOUT_TARGETS.stop]: async (input) => ({
      Rollout:
        (await rollout.abort(typeof input.Reason === 'string' ? input.Reason : 'aborted by the operator')) ??
        null,
    }),
    [LOCAL_ROLLOUT_TARGETS.audit]: async () => {
      const found = await audit.sweep();
      return { Duplicates: found.duplicates, Drifted: found.drifted };
    },
  };
}
