import * as z from 'zod/mini';
import { ID_PATTERN } from './keys.ts';
import { MAX_USERS_PER_EVENT } from './limits.ts';
import { contractSchema } from './zod.ts';

/**
 * An id as the contract defines it: 1–64 characters from `[A-Za-z0-9_.-]`, or a positive safe
 * integer. Output is always the decimal/string form, so `42` and `"42"` are the same id. Like every
 * schema of the contract, it is built on first use.
 */
export const idSchema = contractSchema(() =>
  z.pipe(
    z.union(
      [
        z.string().check(
          z.regex(ID_PATTERN, {
            error: 'must be 1-64 characters from A-Z a-z 0-9 _ . - (no ":", "#", spaces)',
          }),
        ),
        z
          .number()
          .check(
            z.int({ error: 'must be a whole number' }),
            z.positive(),
            z.maximum(Number.MAX_SAFE_INTEGER),
          ),
      ],
      {
        // Without this a missing id or a float reads "Invalid input" in the dead letter, which names no fix.
        error: (issue) =>
          issue.input === undefined
            ? 'is required'
            : 'must be an id: 1-64 characters from A-Z a-z 0-9 _ . - or a positive whole number',
      },
    ),
    z.transform((value: string | number) => String(value)),
  ),
);

/** A non-empty list of at most 1,000 ids; duplicates are removed, first occurrence kept. */
export const userListSchema = contractSchema(() =>
  z.pipe(
    z
      .array(idSchema())
      .check(
        z.minLength(1, { error: 'must name at least one user' }),
        z.maxLength(MAX_USERS_PER_EVENT, { error: `must name at most ${MAX_USERS_PER_EVENT} users` }),
      ),
    z.transform((ids: string[]) => [...new Set(ids)]),
  ),
);

/** A list of ids that may be empty (winners); duplicates removed. */
export const optionalUserListSchema = contractSchema(() =>
  z.pipe(
    z
      .array(idSchema())
      .check(z.maxLength(MAX_USERS_PER_EVENT, { error: `must name at most ${MAX_USERS_PER_EVENT} users` })),
    z.transform((ids: string[]) => [...new Set(ids)]),
  ),
);

/**
 * Normalises one id, or returns `undefined` when it is not a valid id.
 * @example normaliseId(42) // '42'
 */
export function normaliseId(value: unknown): string | undefined {
  const parsed = idSchema().safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
