import { ConfigurationError } from './errors.ts';
import { TABLE_NAME_VARIABLES, type TableNames } from './tables.ts';

/**
 * Readers of single settings from a function's environment: each feature's `config.ts` builds its
 * one configuration reader from these, so every setting is read, checked and explained the same
 * way. A bad value is a deployment fault: the error names the variable and what it must hold.
 */

/** The environment a reader reads: `process.env` in a function, a plain object in tests. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** A setting the stack must pass. */
export function requiredString(env: Environment, name: string): string {
  const value = env[name];
  if (!value)
    throw new ConfigurationError(
      `environment variable ${name} is not set: the stack must pass it to the function`,
    );
  return value;
}

/** A setting with a default for an absent or empty value. */
export function optionalString(env: Environment, name: string, fallback: string): string {
  return env[name] || fallback;
}

/** A number of seconds ≥ 0 (fractions allowed); `fallback` when absent or empty. */
export function seconds(env: Environment, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new ConfigurationError(`${name} must be a number of seconds ≥ 0, got "${raw}"`);
  return value;
}

/** A whole number ≥ `min`; `fallback` when absent or empty. */
export function wholeNumber(env: Environment, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new ConfigurationError(`${name} must be a whole number ≥ ${min}, got "${raw}"`);
  return value;
}

/** A comma-separated list the stack must pass (it may be empty); empty entries are dropped. */
export function requiredList(env: Environment, name: string): string[] {
  const raw = env[name];
  if (raw === undefined)
    throw new ConfigurationError(
      `environment variable ${name} is not set: the stack must pass it to the function`,
    );
  return raw.split(',').filter((entry) => entry !== '');
}

/** The names of the tables a function uses, each from its variable (`ACTIVITY_TABLE_NAME`, ...). */
export function requiredTables<K extends keyof TableNames>(
  env: Environment,
  ...tables: K[]
): Pick<TableNames, K> {
  return Object.fromEntries(
    tables.map((table) => [table, requiredString(env, TABLE_NAME_VARIABLES[table])]),
  ) as Pick<TableNames, K>;
}
