/**
 * Characters an id may contain: none of them is a key separator (`:`, `#`) or whitespace. Declared
 * here, apart from the id schema, so the read API validates ids without loading zod.
 */
export const ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The id's string form when `value` is an id (`42` and `"42"` both give `'42'`), `undefined`
 * otherwise: the rule of the id schema, without zod, for readers of stored items (the read API
 * leaves the event schemas out of its bundle).
 */
export function idText(value: unknown): string | undefined {
  if (typeof value === 'string') return ID_PATTERN.test(value) ? value : undefined;
  return Number.isSafeInteger(value) && (value as number) > 0 ? String(value) : undefined;
}

/** Separator between the parts of an idempotency key; ids can never contain it. */
export const KEY_SEPARATOR = ':';

/** The parts an idempotency key is built from. */
export interface KeyParts {
  readonly kind: string;
  readonly entityId: string;
  readonly status: string;
  readonly revision?: number | undefined;
}

/**
 * `{kind}:{entityId}:{status}` or `{kind}:{entityId}:{status}:{revision}`. Nothing in it can change
 * between a publisher's retries, so the same action always gets the same key.
 */
export function idempotencyKey({ kind, entityId, status, revision }: KeyParts): string {
  const base = [kind, entityId, status].join(KEY_SEPARATOR);
  return revision === undefined ? base : `${base}${KEY_SEPARATOR}${revision}`;
}
