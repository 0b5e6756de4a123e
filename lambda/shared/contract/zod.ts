import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { lazy } from '../lazy.ts';

/**
 * The contract's schemas are written with zod's tree-shakable "mini" API: the same checks, issues
 * and messages as the classic API, without loading its whole method-chaining surface (about 70 KB
 * of bundle and 10 ms of every cold start of the recording function and the publisher).
 */

/** Zod mini brings no messages of its own: the contract's reasons quote zod's English ones. */
const englishMessages = lazy(() => z.config(en()));

/** A schema of the contract, built on first use (see lambda/shared/lazy.ts) with English messages. */
export function contractSchema<T>(build: () => T): () => T {
  return lazy(() => {
    englishMessages();
    return build();
  });
}
