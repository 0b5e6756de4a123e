import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';

/**
 * An SSM client; the endpoint comes from the environment (`AWS_ENDPOINT_URL_SSM`) when set. In a
 * module of its own so functions that never read the flag do not load the SSM client.
 */
export function ssmClient(): SSMClient {
  return new SSMClient({});
}

/** The value of a `String` parameter, `undefined` when it has none: one `GetParameter`, not decrypted. */
export async function parameterValue(client: SSMClient, name: string): Promise<string | undefined> {
  const { Parameter } = await client.send(new GetParameterCommand({ Name: name, WithDecryption: false }));
  return Parameter?.Value;
}
