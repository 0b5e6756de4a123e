import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { STACK_OUTPUTS } from '../../infra/output-keys.ts';
import { documentClient } from '../../lambda/shared/aws/dynamodb.ts';

import { LOCAL_AWS } from '../../local/clients.ts';
import {
  DEFAULT_ENDPOINT_PORT,
  DESCRIBE_LOCAL_STACK_TARGET,
  DYNAMODB_ENDPOINT_OUTPUT,
} from '../../local/stack.ts';

import { TargetError } from './errors.ts';

/** Where the CLI acts: the local stack or a deployed stack, with clients for it. */
export interface Target {
  readonly kind: 'local' | 'aws';
  /** Human-readable: the endpoint or the stack name and region. */
  readonly label: string;
  readonly eventBridge: EventBridgeClient;
  readonly ssm: SSMClient;
  /** CloudWatch's alarms (the stop conditions), deployed or the local stack's. */
  readonly cloudWatch: CloudWatchClient;
  /** The top-level stop-conditions composite (absent on a stack deployed before it existed). */
  readonly stopConditionsAlarmName?: string | undefined;
  /** The alarm that says the scheduled audit stopped (absent on older stacks). */
  readonly auditAlarmName?: string | undefined;
  readonly doc: DynamoDBDocumentClient;
  readonly busName: string;
  readonly busArn: string;
  readonly eventSource: string;
  readonly archiveName: string;
  readonly flagParameterName: string;
  readonly tables: { readonly activities: string; readonly stats: string; readonly deadLetters: string };
  /** Base URL of the profile read API. */
  readonly apiUrl: string;
  /** Seconds an erasure waits before deleting (absent on a stack deployed before erasure existed). */
  readonly erasureSettleSeconds?: number | undefined;
  /** Releases the clients' connections. */
  close(): void;
}

/** How to find the target (the CLI's global options). */
export interface TargetOptions {
  readonly endpoint?: string | undefined;
  readonly dynamodbEndpoint?: string | undefined;
  readonly stack?: string | undefined;
  readonly region?: string | undefined;
}

/** The default local endpoint, where `npm start` listens. */
export const DEFAULT_LOCAL_ENDPOINT = `http://127.0.0.1:${DEFAULT_ENDPOINT_PORT}`;

function output(outputs: Record<string, string>, key: string, where: string): string {
  const value = outputs[key];
  if (!value) throw new TargetError(`${where} has no output ${key}: deploy the current version of the stack`);
  return value;
}

async function localOutputs(endpoint: string): Promise<Record<string, string>> {
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': DESCRIBE_LOCAL_STACK_TARGET },
      body: '{}',
      // Generous: a local stack on a busy machine can take seconds to answer; a dead one refuses at once.
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new TargetError(
      `no local stack answers at ${endpoint} (${(error as Error).message}): start it with \`npm start\`, ` +
        'or point the CLI elsewhere with --endpoint URL or --stack NAME',
    );
  }
  if (!response.ok)
    throw new TargetError(
      `${endpoint} answered ${response.status} but is not this project's local stack: check --endpoint`,
    );
  const body = (await response.json()) as { Outputs?: { OutputKey: string; OutputValue: string }[] };
  return Object.fromEntries((body.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
}

/** A deployed stack's CloudFormation outputs by key; a `TargetError` says what to check when it cannot be read. */
export async function stackOutputs(
  stack: string,
  region: string | undefined,
): Promise<Record<string, string>> {
  const cloudFormation = new CloudFormationClient(region ? { region } : {});
  try {
    const { Stacks = [] } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stack }));
    const found = Stacks[0];
    if (!found) throw new TargetError(`stack ${stack} not found`);
    return Object.fromEntries((found.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (error) {
    if (error instanceof TargetError) throw error;
    throw new TargetError(
      `cannot describe stack ${stack}${region ? ` in ${region}` : ''}: ${(error as Error).message}. ` +
        'Check the stack name, --region and your AWS credentials.',
    );
  } finally {
    cloudFormation.destroy();
  }
}

/** Resolves the target: `--stack` through CloudFormation outputs, otherwise the local stack's endpoint. */
export async function resolveTarget(options: TargetOptions): Promise<Target> {
  const isAws = options.stack !== undefined;
  const endpoint = options.endpoint ?? DEFAULT_LOCAL_ENDPOINT;
  const outputs = isAws
    ? await stackOutputs(options.stack as string, options.region)
    : await localOutputs(endpoint);
  const where = isAws ? `stack ${options.stack}` : `the local stack at ${endpoint}`;
  const awsConfig = options.region ? { region: options.region } : {};
  const dynamodbEndpoint = isAws
    ? undefined
    : (options.dynamodbEndpoint ?? output(outputs, DYNAMODB_ENDPOINT_OUTPUT, where));
  const eventBridge = new EventBridgeClient(isAws ? awsConfig : { ...LOCAL_AWS, endpoint });
  const ssm = new SSMClient(isAws ? awsConfig : { ...LOCAL_AWS, endpoint });
  const cloudWatch = new CloudWatchClient(isAws ? awsConfig : { ...LOCAL_AWS, endpoint });
  const dynamo = new DynamoDBClient(isAws ? awsConfig : { ...LOCAL_AWS, endpoint: dynamodbEndpoint });
  return {
    kind: isAws ? 'aws' : 'local',
    label: isAws ? `stack ${options.stack}${options.region ? ` (${options.region})` : ''}` : endpoint,
    eventBridge,
    ssm,
    cloudWatch,
    stopConditionsAlarmName: outputs[STACK_OUTPUTS.stopConditionsAlarmName] || undefined,
    auditAlarmName: outputs[STACK_OUTPUTS.auditAlarmName] || undefined,
    doc: documentClient(dynamo),
    busName: output(outputs, STACK_OUTPUTS.eventBusName, where),
    busArn: output(outputs, STACK_OUTPUTS.eventBusArn, where),
    eventSource: output(outputs, STACK_OUTPUTS.eventSource, where),
    archiveName: output(outputs, STACK_OUTPUTS.archiveName, where),
    flagParameterName: output(outputs, STACK_OUTPUTS.flagParameterName, where),
    apiUrl: output(outputs, STACK_OUTPUTS.profileApiUrl, where),
    tables: {
      activities: output(outputs, STACK_OUTPUTS.activityTableName, where),
      stats: output(outputs, STACK_OUTPUTS.statsTableName, where),
      deadLetters: output(outputs, STACK_OUTPUTS.deadLetterTableName, where),
    },
    erasureSettleSeconds: outputs[STACK_OUTPUTS.erasureSettleSeconds]
      ? Number(outputs[STACK_OUTPUTS.erasureSettleSeconds])
      : undefined,
    close() {
      eventBridge.destroy();
      ssm.destroy();
      cloudWatch.destroy();
      dynamo.destroy();
    },
  };
}
