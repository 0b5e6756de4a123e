import { IntegrationError } from '../../lambda/shared/errors.ts';

/** The `tpi` command line's errors: each message says what to change, and the exit code follows from the class. */

/** The command line is wrong: exit code 2 with usage. */
export class UsageError extends IntegrationError {
  override readonly name = 'UsageError';
}

/** The CLI cannot reach what it was pointed at; the message says how to fix that. */
export class TargetError extends IntegrationError {
  override readonly name = 'TargetError';
}

/** The rollout could not be started, read or stopped; the message says why and what to do. */
export class RolloutError extends IntegrationError {
  override readonly name = 'RolloutError';
}
