import { IntegrationError } from '../shared/errors.ts';

/** Errors of the progressive rollout: each message names what to do next. */

/** The plan is unusable; the message lists every problem. */
export class RolloutPlanError extends IntegrationError {
  override readonly name = 'RolloutPlanError';
}

/** Another rollout runs: only one may move the flag at a time. */
export class RolloutConflictError extends IntegrationError {
  override readonly name = 'RolloutConflictError';
}

/** `flag restore` found no value a rollback saved. */
export class NothingToRestoreError extends IntegrationError {
  override readonly name = 'NothingToRestoreError';
}

/** An AWS call the rollout depends on failed; the message names the call and what to check. */
export class RolloutAwsError extends IntegrationError {
  override readonly name = 'RolloutAwsError';
}

/** An alarm a stop condition's composite names does not exist: that condition could never fire. */
export class StopConditionMissingError extends IntegrationError {
  override readonly name = 'StopConditionMissingError';
}

/** A raise of the flag was refused: a stop condition is in ALARM (or the audit stopped). */
export class RaiseRefusedError extends IntegrationError {
  override readonly name = 'RaiseRefusedError';
}
