/**
 * The id pattern in a module of its own: the read API validates ids with it without pulling the
 * event schemas (and zod) into its bundle.
 */

/** Characters an id may contain: none of them is a key separator (`:`, `#`) or whitespace. */
export const ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
