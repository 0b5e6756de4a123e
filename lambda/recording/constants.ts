/**
 * Recording's settings that the stack and the local stack read at synth or start time: pure
 * values, no SDK, no environment.
 */

/** Default seconds a flag value is cached: a change takes effect within this time. */
export const DEFAULT_FLAG_CACHE_SECONDS = 15;

/**
 * The flag is read through the AWS Parameters and Secrets Lambda Extension, a companion process of
 * the function that calls SSM `GetParameter` for it: the function then bundles no SSM client, about
 * a third of what its cold start loaded beyond the DynamoDB client (docs/performance.md).
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-integration-lambda-extensions.html
 */
export const PARAMETERS_EXTENSION = {
  /** Port the extension listens on unless `PARAMETERS_SECRETS_EXTENSION_HTTP_PORT` says otherwise. */
  defaultPort: 2773,
  /** Its route for one Parameter Store parameter (`?name=`). */
  parameterPath: '/systemsmanager/parameters/get',
  /** The header every request must carry, holding the function's `AWS_SESSION_TOKEN` (its SSRF guard). */
  tokenHeader: 'x-aws-parameters-secrets-token',
} as const;

/** How long one flag read through the extension may take before it counts as failed. */
export const FLAG_READ_TIMEOUT_MS = 5_000;
