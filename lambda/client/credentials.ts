import type { AwsCredentials } from './profile-client.ts';

/**
 * The AWS SDK's default credential chain, for signing reads in IAM mode: environment variables,
 * the shared config and credentials files (profiles, SSO), a credential process, web identity, and
 * the container or instance role, refreshed before they expire. It is the chain the EventBridge
 * client resolves, which this package already depends on for publishing: no other package is
 * needed, and the client is loaded on the first call only, so reading alone does not load it.
 *
 * @example
 * const client = new ProfileClient({ baseUrl, credentials: defaultCredentials(), region: 'eu-west-1' });
 */
export function defaultCredentials(options: { region?: string } = {}): () => Promise<AwsCredentials> {
  let resolve: Promise<() => Promise<AwsCredentials>> | undefined;
  return async () => {
    resolve ??= import('@aws-sdk/client-eventbridge').then(({ EventBridgeClient }) => {
      // The region (option, else the SDK's own lookup) picks the STS endpoint of web identity and SSO.
      const { credentials } = new EventBridgeClient(options.region ? { region: options.region } : {}).config;
      return () => credentials();
    });
    return (await resolve)();
  };
}
