import { IntegrationError } from '../shared/errors.ts';

/** Errors of audit and repair. */

/** Repair kept losing races with the projector for one user. */
export class RepairConflictError extends IntegrationError {
  override readonly name = 'RepairConflictError';
}
