import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlagParameter } from '../../infra/constructs/flag-parameter.ts';
import { NOTHING_SAVED, previousFlagParameterName } from '../../lambda/rollout/constants.ts';
import { LOCAL_AWS } from '../../local/clients.ts';
import { type LocalEndpoint, startLocalEndpoint } from '../../local/endpoint.ts';

const FLAG = '/tournament-profile/prod/integration-enabled';
const PREVIOUS = previousFlagParameterName(FLAG);

interface SdkCall {
  readonly action: string;
  readonly parameters: ConstructorParameters<typeof PutParameterCommand>[0];
  readonly ignoreErrorCodesMatching?: string;
}

/** The Create call of the saved-value custom resource, as the production template has it. */
function createCall(): SdkCall {
  const stack = new Stack(new App(), 'Prod');
  new FlagParameter(stack, 'PreviousFlag', {
    parameterName: PREVIOUS,
    production: true,
    initialValue: NOTHING_SAVED,
    description: 'Flag value saved by the last automatic rollback',
  });
  const [resource] = Object.values(Template.fromStack(stack).findResources('Custom::FlagParameter'));
  return JSON.parse(String(resource?.Properties.Create)) as SdkCall;
}

/**
 * What CDK's AwsCustomResource provider does with the call on each deploy: send it, and treat an
 * error whose name matches `ignoreErrorCodesMatching` as success.
 */
async function deploy(ssm: SSMClient, call: SdkCall): Promise<'created' | 'kept'> {
  expect(call.action).toBe('PutParameter');
  try {
    await ssm.send(new PutParameterCommand(call.parameters));
    return 'created';
  } catch (error) {
    const name = (error as Error).name;
    if (call.ignoreErrorCodesMatching && new RegExp(call.ignoreErrorCodesMatching).test(name)) return 'kept';
    throw error;
  }
}

let endpoint: LocalEndpoint;
let ssm: SSMClient;

beforeAll(async () => {
  endpoint = await startLocalEndpoint();
  ssm = new SSMClient({ ...LOCAL_AWS, endpoint: endpoint.url, maxAttempts: 1 });
});
afterAll(async () => {
  ssm?.destroy();
  await endpoint?.close();
});

describe('the saved flag value is created only when absent', () => {
  it('a first deploy creates it, a deploy over a retained one keeps its value, against the local SSM API', {
    timeout: 180_000,
  }, async () => {
    // Prepare
    const call = createCall();

    // Act: the first stack creates it; a rollback saves 25; the stack is deleted (the parameter is
    // retained in production) and deployed again.
    const first = await deploy(ssm, call);
    await ssm.send(new PutParameterCommand({ Name: PREVIOUS, Value: '25', Type: 'String', Overwrite: true }));
    const again = await deploy(ssm, call);

    // Assess
    expect([first, again]).toEqual(['created', 'kept']);
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: PREVIOUS }));
    expect(Parameter?.Value).toBe('25');
  });

  it('without the create-if-absent rule, the second create is refused as AWS refuses it', {
    timeout: 180_000,
  }, async () => {
    const call = createCall();
    const strict = { ...call, ignoreErrorCodesMatching: undefined };
    await expect(deploy(ssm, strict)).rejects.toMatchObject({ name: 'ParameterAlreadyExists' });
  });
});
