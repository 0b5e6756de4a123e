import { Aws, CfnOutput, type Stack } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Archive, EventBus } from 'aws-cdk-lib/aws-events';
import type { ManagedPolicy } from 'aws-cdk-lib/aws-iam';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { ErasureService } from './constructs/erasure-service.ts';
import type { FlagParameter } from './constructs/flag-parameter.ts';
import type { ProfileApi } from './constructs/profile-api.ts';
import type { Rollout } from './constructs/rollout.ts';
import { STACK_OUTPUTS } from './output-keys.ts';

/** What the stack's outputs point at. */
export interface OutputSources {
  readonly eventBus: EventBus;
  readonly eventSource: string;
  readonly archive: Archive;
  readonly tables: { readonly activities: Table; readonly stats: Table; readonly deadLetters: Table };
  readonly flag: FlagParameter;
  readonly queues: {
    readonly deliveryDeadLetters: IQueue;
    readonly recordingFailures: IQueue;
    readonly statisticsFailures: IQueue;
  };
  readonly dashboardName: string;
  readonly rollout: Rollout;
  /** The composite alarm in ALARM while any stop condition is. */
  readonly stopConditionsAlarmName: string;
  /** The alarm that says the scheduled audit stopped (it holds raises). */
  readonly auditAlarmName: string;
  /** Where the integration's metrics are: the namespace and the `service` dimension. */
  readonly metrics: { readonly namespace: string; readonly service: string };
  readonly profileApi: ProfileApi;
  readonly erasure: ErasureOutputs;
}

/** What the erasure outputs point at. */
export interface ErasureOutputs {
  /** Seconds an erasure waits between writing its record and deleting. */
  readonly settleSeconds: number;
  /** The managed policy for the role that runs `tpi erase`. */
  readonly operatorPolicy: ManagedPolicy;
  readonly service: ErasureService;
}

type OutputTable = Record<keyof typeof STACK_OUTPUTS, { value: string; description: string }>;

/** Every output of the stack, by its key in {@link STACK_OUTPUTS}. */
function outputTable(s: OutputSources): OutputTable {
  const { tables, queues, erasure } = s;
  return {
    eventBusName: { value: s.eventBus.eventBusName, description: 'Bus publishers send to' },
    eventBusArn: { value: s.eventBus.eventBusArn, description: 'Bus ARN for publisher IAM policies' },
    eventSource: { value: s.eventSource, description: 'The Source every event must carry' },
    archiveName: { value: s.archive.archiveName, description: 'Archive to replay from' },
    activityTableName: { value: tables.activities.tableName, description: 'Recorded activities' },
    statsTableName: { value: tables.stats.tableName, description: 'Per-user profile statistics' },
    deadLetterTableName: { value: tables.deadLetters.tableName, description: 'Rejected events with reasons' },
    flagParameterName: { value: s.flag.parameterName, description: 'Rollout flag (SSM parameter)' },
    erasureSettleSeconds: {
      value: String(erasure.settleSeconds),
      description: 'Seconds tpi erase waits after writing the erasure record before deleting',
    },
    erasureOperatorPolicyArn: {
      value: erasure.operatorPolicy.managedPolicyArn,
      description: 'Managed policy to attach to the role that runs tpi erase',
    },
    eraseApiPolicyArn: {
      value: erasure.service.invokePolicy.managedPolicyArn,
      description: 'Managed policy that lets a role call DELETE /users/{userId} on the read API',
    },
    erasureDeadLetterQueueUrl: {
      value: erasure.service.deadLetters.queue.queueUrl,
      description: 'Erasure requests that failed every delivery (finish them with tpi erase USER)',
    },
    deliveryDeadLetterQueueUrl: {
      value: queues.deliveryDeadLetters.queueUrl,
      description: 'Events EventBridge could not deliver',
    },
    recordingFailureQueueUrl: {
      value: queues.recordingFailures.queueUrl,
      description: 'Events the recording function failed on',
    },
    statsFailureQueueUrl: {
      value: queues.statisticsFailures.queueUrl,
      description: 'Stream records the statistics function failed on',
    },
    dashboardUrl: {
      value: `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards:name=${s.dashboardName}`,
      description: 'CloudWatch dashboard',
    },
    rolloutStateMachineArn: {
      value: s.rollout.stateMachine.stateMachineArn,
      description: 'Progressive rollout of the flag (tpi rollout)',
    },
    stopConditionsAlarmName: {
      value: s.stopConditionsAlarmName,
      description: 'Composite alarm in ALARM while any stop condition is (its children: the conditions)',
    },
    auditAlarmName: {
      value: s.auditAlarmName,
      description: 'Alarm in ALARM while the scheduled audit does not run: raises of the flag wait for it',
    },
    metricsNamespace: {
      value: s.metrics.namespace,
      description: "Namespace of the integration's metrics (the publisher's PublishFailures goes here)",
    },
    metricsService: {
      value: s.metrics.service,
      description: "The service dimension of the integration's metrics (PublishFailures included)",
    },
    profileApiUrl: { value: s.profileApi.url, description: 'Profile read API base URL' },
    profileReadPolicyArn: {
      value: s.profileApi.readPolicy.managedPolicyArn,
      description: "Managed policy to attach to the platform's role to call the read API",
    },
  };
}

/**
 * Adds the stack's outputs, the keys the CLI and the smoke test find a deployed stack by. They are
 * the stack's own children: an output's logical ID is its key.
 */
export function addStackOutputs(stack: Stack, sources: OutputSources): void {
  for (const [key, output] of Object.entries(outputTable(sources)))
    new CfnOutput(stack, STACK_OUTPUTS[key as keyof typeof STACK_OUTPUTS], output);
}
