import { type Environment, optionalString, requiredTables, seconds, wholeNumber } from '../shared/config.ts';
import { DEFAULT_EVENT_SOURCE, DEFAULT_FLAG_PARAMETER_NAME } from '../shared/contract/defaults.ts';
import { DEFAULT_ERASURE_CACHE_SECONDS } from '../shared/erased-users.ts';
import { ConfigurationError } from '../shared/errors.ts';
import type { TableNames } from '../shared/tables.ts';
import type { ParametersExtension } from './adapters/parameters-extension.ts';
import { DEFAULT_FLAG_CACHE_SECONDS, PARAMETERS_EXTENSION } from './constants.ts';

/** Settings of the recording function, from its environment. */
export interface RecordingConfig {
  /** Activities and dead letters are written; `stats` holds the erasure log, which is all it reads of it. */
  readonly tables: Pick<TableNames, 'activities' | 'deadLetters' | 'stats'>;
  readonly flagParameterName: string;
  /** The Parameters and Secrets extension the flag is read through (its layer is on the function). */
  readonly flagExtension: ParametersExtension;
  /** Seconds a flag value is used before SSM is asked again. */
  readonly flagCacheSeconds: number;
  /** Seconds the set of erased users is used before the erasure log is asked again. */
  readonly erasureCacheSeconds: number;
  readonly eventSource: string;
}

/** Reads the recording function's settings; throws a `ConfigurationError` naming what is missing. */
export function recordingConfig(env: Environment = process.env): RecordingConfig {
  return {
    tables: requiredTables(env, 'activities', 'deadLetters', 'stats'),
    flagParameterName: optionalString(env, 'FLAG_PARAMETER_NAME', DEFAULT_FLAG_PARAMETER_NAME),
    flagExtension: parametersExtensionOf(env),
    flagCacheSeconds: seconds(env, 'FLAG_CACHE_SECONDS', DEFAULT_FLAG_CACHE_SECONDS),
    erasureCacheSeconds: seconds(env, 'ERASURE_CACHE_SECONDS', DEFAULT_ERASURE_CACHE_SECONDS),
    eventSource: optionalString(env, 'EVENT_SOURCE', DEFAULT_EVENT_SOURCE),
  };
}

/**
 * The extension's port (the stack's layer settings put it in `PARAMETERS_SECRETS_EXTENSION_HTTP_PORT`)
 * and the session token Lambda gives the function, which the extension requires on every request.
 */
function parametersExtensionOf(env: Environment): ParametersExtension {
  const port = wholeNumber(
    env,
    'PARAMETERS_SECRETS_EXTENSION_HTTP_PORT',
    PARAMETERS_EXTENSION.defaultPort,
    1,
  );
  const token = env.AWS_SESSION_TOKEN;
  if (!token)
    throw new ConfigurationError(
      "AWS_SESSION_TOKEN is not set: Lambda sets it for the function's role, and the Parameters and Secrets extension the flag is read through refuses requests without it. Outside Lambda, run the function through the local stack.",
    );
  return { url: `http://localhost:${port}`, token };
}
