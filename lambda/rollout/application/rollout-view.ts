import type { AlarmState } from '../domain/rollout.ts';
import type { RolloutStepOutput } from './rollout.ts';

/** A rollout as `tpi rollout status` shows it, for the deployed machine and the local runner alike. */
export interface RolloutView {
  readonly id: string;
  readonly state: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  readonly startedAt?: string | undefined;
  readonly stoppedAt?: string | undefined;
  readonly steps: readonly number[];
  /** 1-based number of the current step; 0 before the first raise. */
  readonly step: number;
  readonly percentage?: number | undefined;
  readonly flag?: string | undefined;
  readonly nextRaiseAt?: string | undefined;
  readonly alarms: readonly AlarmState[];
  /** The stop condition that rolled the flag back. */
  readonly stopCondition?: string | undefined;
  readonly error?: string | undefined;
  readonly reason?: string | undefined;
}

/** The view of a rollout from its last step's output and how it ended. */
export function rolloutView(
  id: string,
  state: RolloutView['state'],
  last: RolloutStepOutput | undefined,
  ended?: { readonly stoppedAt?: string; readonly error?: string; readonly reason?: string },
): RolloutView {
  const running = state === 'RUNNING';
  return {
    id,
    state,
    startedAt: last ? new Date(last.startedAt).toISOString() : undefined,
    stoppedAt: ended?.stoppedAt,
    steps: last?.plan.steps ?? [],
    step: (last?.state.stepIndex ?? -1) + 1,
    percentage: last?.percentage,
    flag: last?.flag,
    nextRaiseAt: running ? last?.nextRaiseAt : undefined,
    alarms: last?.alarms ?? [],
    stopCondition: last?.stopCondition,
    error: ended?.error ?? last?.error,
    reason: ended?.reason ?? last?.cause,
  };
}
