/**
 * The publisher's resend policy for PutEvents. The per-entry error codes EventBridge documents as
 * retryable (PutEventsResultEntry: "Retryable errors include InternalFailure, ThrottlingException")
 * are resent; every other code, documented as non-retryable (AccessDeniedException,
 * InvalidArgument, MalformedDetail, NotAuthorizedFor*, ...) or unknown, is final: the entry is
 * reported as failed at once instead of being sent again to fail the same way. An unknown code is
 * treated as final because AWS lists what is retryable, and a caller keeps the failed entry and
 * can send it later either way (recording is idempotent).
 */
export const RETRYABLE_ENTRY_ERRORS: ReadonlySet<string> = new Set([
  'InternalFailure',
  'ThrottlingException',
]);

/** Whether a failed entry is worth resending. */
export function isRetryableEntryError(errorCode: string): boolean {
  return RETRYABLE_ENTRY_ERRORS.has(errorCode);
}
