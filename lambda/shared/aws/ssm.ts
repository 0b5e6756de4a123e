import { SSMClient } from '@aws-sdk/client-ssm';

/**
 * An SSM client; the endpoint comes from the environment (`AWS_ENDPOINT_URL_SSM`) when set. In a
 * module of its own so functions that never call SSM (recording reads its flag through the
 * Parameters and Secrets extension) do not load the SSM client.
 */
export function ssmClient(): SSMClient {
  return new SSMClient({});
}
