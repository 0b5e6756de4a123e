/** Erasure's settings that the stack, the local stack and the CLI share: pure values and formulas. */

/**
 * Seconds an erasure waits between writing its record and deleting: every function's cached set
 * of erased users is at most `cacheSeconds` old, and an invocation that began with an older set
 * writes for at most its own duration. After that nothing in flight can write for the user.
 */
export function erasureSettleSeconds(cacheSeconds: number, invocationSeconds: number): number {
  return cacheSeconds + invocationSeconds + 1;
}
