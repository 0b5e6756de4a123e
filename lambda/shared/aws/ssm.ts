import { SSMClient } from '@aws-sdk/client-ssm';

/**
 * An SSM client; the endpoint comes from the environment (`AWS_ENDPOINT_URL_SSM`) when set. In a
 * module of its own so functions that never read the flag do not load the SSM client.
 */
export function ssmClient(): SSMClient {
  return new SSMClient({});
}
