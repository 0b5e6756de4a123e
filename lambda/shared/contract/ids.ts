import * as z from 'zod';
import { lazy } from '../lazy.ts';
import { ID_PATTERN } from './keys.ts';
import { MAX_USERS_PER_EVENT } from './limits.ts';

/**
 * An id as the contract defines it (built on first use, like every schema of the contract): 1–64 characters from `[A-Za-z0-9_.-]`, or a positive safe
 * integer. Output is always the decimal/string form, so `42` and `"42"` are the same id.
 */
export const idSchema = lazy(() =>
  z
    .union(
      [
        z.string().regex(ID_PATTERN, {
          message: 'must be 1-64 characters from A-Z a-z 0-9 _ . - (no ":", "#", spaces)',
        }),
        z.number().int({ message: 'must be a whole number' }).positive().max(Number.MAX_SAFE_INTEGER),
      ],
      {
        // Without this a missing id or a float reads "Invalid input" in the dead letter, which names no fix.
        error: (issue) =>
          issue.input === undefined
            ? 'is required'
            : 'must be an id: 1-64 characters from A-Z a-z 0-9 _ . - or a positive whole number',
      },
    )
    .transform((value) => String(value)),
);

/** A non-empty list of at most 1,000 ids; duplicates are removed, first occurrence kept. */
export const userListSchema = lazy(() =>
  z
    .array(idSchema())
    .min(1, { message: 'must name at least one user' })
    .max(MAX_USERS_PER_EVENT, { message: `must name at most ${MAX_USERS_PER_EVENT} users` })
    .transform((ids) => [...new Set(ids)]),
);

/** A list of ids that may be empty (winners); duplicates removed. */
export const optionalUserListSchema = lazy(() =>
  z
    .array(idSchema())
    .max(MAX_USERS_PER_EVENT, { message: `must name at most ${MAX_USERS_PER_EVENT} users` })
    .transform((ids) => [...new Set(ids)]),
);

/**
 * Normalises one id, or returns `undefined` when it is not a valid id.
 * @example normaliseId(42) // '42'
 */
export function normaliseId(value: unknown): string | undefined {
  const parsed = idSchema().safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
