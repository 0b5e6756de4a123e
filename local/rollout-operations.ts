import type { RolloutPlan } from '../lambda/rollout/domain/rollout.ts';
import { AwsServiceError } from './errors.ts';
import type { LocalRollout } from './rollout.ts';

/** `X-Amz-Target`s of the local rollout operations. */
export const LOCAL_ROLLOUT_TARGETS = {
  start: 'TournamentProfileLocal.StartRollout',
  describe: 'TournamentProfileLocal.DescribeRollout',
  stop: 'TournamentProfileLocal.StopRollout',
  /** Like CloudWatch's SetAlarmState: puts an outside (platform) alarm in ALARM or back to OK. */
  setAlarmState: 'TournamentProfileLocal.SetAlarmState',
  /** Runs one audit sweep now (the deployed schedule runs it every few minutes). */
  audit: 'TournamentProfileLocal.RunAudit',
} as const;

function planFrom(input: Record<string, unknown>): { plan: RolloutPlan; sliceSeconds?: number } {
  const { Steps, WaitsMs, SliceSeconds } = input;
  const numbers = (value: unknown) => Array.isArray(value) && value.every((n) => typeof n === 'number');
  if (!numbers(Steps) || !numbers(WaitsMs))
    throw new AwsServiceError('ValidationException', 'Steps and WaitsMs must be arrays of numbers.');
  if (SliceSeconds !== undefined && (typeof SliceSeconds !== 'number' || SliceSeconds < 1))
    throw new AwsServiceError('ValidationException', 'SliceSeconds must be a number ≥ 1.');
  return {
    plan: { steps: Steps as number[], waitsMs: WaitsMs as number[] },
    ...(SliceSeconds !== undefined ? { sliceSeconds: SliceSeconds as number } : {}),
  };
}

/** The local endpoint's rollout operations, answering like an AWS JSON API. */
export function rolloutOperations(
  rollout: LocalRollout,
): Record<string, (input: Record<string, unknown>) => unknown> {
  return {
    [LOCAL_ROLLOUT_TARGETS.start]: async (input) => {
      const { plan, sliceSeconds } = planFrom(input);
      try {
        return { Rollout: await rollout.start(plan, sliceSeconds) };
      } catch (error) {
        const name = (error as Error).name;
        if (name === 'RolloutConflictError')
          throw new AwsServiceError('ExecutionAlreadyExists', (error as Error).message);
        if (name === 'RolloutPlanError')
          throw new AwsServiceError('ValidationException', (error as Error).message);
        throw error;
      }
    },
    [LOCAL_ROLLOUT_TARGETS.describe]: () => ({ Rollout: rollout.describe() ?? null }),
    [LOCAL_ROLLOUT_TARGETS.stop]: (input) => ({
      Rollout:
        rollout.abort(typeof input.Reason === 'string' ? input.Reason : 'aborted by the operator') ?? null,
    }),
    [LOCAL_ROLLOUT_TARGETS.setAlarmState]: (input) => {
      const { AlarmName, StateValue, StateReason } = input;
      if (typeof AlarmName !== 'string' || AlarmName === '')
        throw new AwsServiceError('ValidationException', 'AlarmName is required.');
      if (StateValue !== 'OK' && StateValue !== 'ALARM')
        throw new AwsServiceError('ValidationException', 'StateValue must be OK or ALARM.');
      rollout.setOutsideAlarm(
        AlarmName,
        StateValue,
        typeof StateReason === 'string' ? StateReason : undefined,
      );
      return {};
    },
    [LOCAL_ROLLOUT_TARGETS.audit]: async () => {
      const found = await rollout.audit();
      return { Duplicates: found.duplicates, Drifted: found.drifted };
    },
  };
}
