import { ArnFormat, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SnsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import {
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  JsonPath,
  LogLevel,
  StateMachine,
  Succeed,
  TaskInput,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import {
  DEFAULT_WAIT_SLICE_SECONDS,
  NOTHING_SAVED,
  previousFlagParameterName,
} from '../../lambda/application/rollout.ts';
import type { FlagParameter } from './flag-parameter.ts';
import { type FunctionDefaults, IntegrationFunction } from './integration-function.ts';

/** The event CloudWatch sends to the default bus when an alarm changes state. */
export const ALARM_STATE_CHANGE = 'CloudWatch Alarm State Change';

/** Properties of {@link Rollout}. */
export interface RolloutProps {
  readonly flag: FlagParameter;
  /** The alarms that stop a rollout and roll the flag back. */
  readonly stopConditionAlarms: readonly IAlarm[];
  /** When set, every rollback is published here. */
  readonly alarmTopic?: ITopic | undefined;
  readonly defaults: FunctionDefaults;
  /** Longest single Wait of the machine: how often alarms are re-checked during a hold. @default 300 */
  readonly waitSliceSeconds?: number;
}

/**
 * Progressive rollout of the flag with automatic stop conditions:
 * - a rule on the stop-condition alarms going into ALARM invokes a function that saves the flag in
 *   `<flag>/previous` and turns it off (published to the alarm topic when there is one);
 * - a state machine raises the flag step by step, a task checking the alarms before each raise and
 *   between Wait slices, all decisions taken by the shared `decide`.
 */
export class Rollout extends Construct {
  readonly stateMachine: StateMachine;
  readonly stepFunction: IntegrationFunction;
  readonly rollbackFunction: IntegrationFunction;
  readonly alarmRule: Rule;
  readonly previousParameter: StringParameter;

  constructor(scope: Construct, id: string, props: RolloutProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { flag, defaults } = props;
    const alarmNames = props.stopConditionAlarms.map((alarm) => alarm.alarmName);

    // Plain CloudFormation ownership is safe here: the stack never changes this resource's
    // properties after creation, so an update never rewrites a saved value.
    this.previousParameter = new StringParameter(this, 'PreviousFlag', {
      parameterName: previousFlagParameterName(flag.parameterName),
      stringValue: NOTHING_SAVED,
      description: 'Flag value saved by the last automatic rollback; `tpi flag restore` puts it back.',
    });
    this.previousParameter.applyRemovalPolicy(
      defaults.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    );

    // Named, so the task's policy can name the machine's ARN without a reference cycle (the machine
    // refers to the function, whose role policy would refer back to the machine).
    const stateMachineName = `${stack.stackName}-Rollout`;
    const stateMachineArn = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const environment = {
      FLAG_PARAMETER_NAME: flag.parameterName,
      STOP_CONDITION_ALARMS: Fn.join(',', alarmNames),
      ROLLOUT_WAIT_SLICE_SECONDS: String(props.waitSliceSeconds ?? DEFAULT_WAIT_SLICE_SECONDS),
    };
    const flagAccess = new PolicyStatement({
      sid: 'FlagAndSavedValue',
      actions: ['ssm:GetParameter', 'ssm:PutParameter'],
      resources: [flag.parameterArn, this.previousParameter.parameterArn],
    });

    this.rollbackFunction = new IntegrationFunction(this, 'Rollback', {
      entry: 'lambda/handlers/rollout-rollback.ts',
      description: 'Turns the flag off when a stop-condition alarm goes into ALARM',
      defaults,
      timeout: Duration.seconds(30),
      memorySize: 256,
      environment,
    });
    const rollback = this.rollbackFunction.function;
    rollback.addToRolePolicy(flagAccess);
    rollback.configureAsyncInvoke({
      retryAttempts: 2,
      ...(props.alarmTopic ? { onSuccess: new SnsDestination(props.alarmTopic) } : {}),
    });
    if (props.alarmTopic)
      Validations.of(this.rollbackFunction.role).acknowledge({
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason:
          'Publishing to the encrypted alarm topic needs kms:GenerateDataKey* on its key only (the resource is that key); the wildcard covers the GenerateDataKey variants SNS may call.',
      });

    this.alarmRule = new Rule(this, 'StopConditionAlarms', {
      description: 'Stop-condition alarms going into ALARM roll the flag back',
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: [ALARM_STATE_CHANGE],
        detail: { alarmName: alarmNames, state: { value: ['ALARM'] } },
      },
      targets: [new LambdaFunction(rollback, { retryAttempts: 20, maxEventAge: Duration.hours(2) })],
    });

    this.stepFunction = new IntegrationFunction(this, 'Step', {
      entry: 'lambda/handlers/rollout-step.ts',
      description: 'One rollout step: check the stop conditions, then raise, wait, roll back or end',
      defaults,
      timeout: Duration.seconds(30),
      memorySize: 256,
      environment,
    });
    const step = this.stepFunction.function;
    step.addToRolePolicy(flagAccess);
    step.addToRolePolicy(
      new PolicyStatement({
        sid: 'StopConditionStates',
        actions: ['cloudwatch:DescribeAlarms'],
        resources: props.stopConditionAlarms.map((alarm) => alarm.alarmArn),
      }),
    );
    step.addToRolePolicy(
      new PolicyStatement({
        sid: 'OneRolloutAtATime',
        actions: ['states:ListExecutions'],
        resources: [stateMachineArn],
      }),
    );

    const check = new LambdaInvoke(this, 'Check', {
      lambdaFunction: step,
      payload: TaskInput.fromObject({
        rollout: JsonPath.entirePayload,
        executionArn: JsonPath.stringAt('$$.Execution.Id'),
        stateMachineArn: JsonPath.stringAt('$$.StateMachine.Id'),
      }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: true,
    });
    // A throttled or briefly failing AWS call must not end a week-long rollout; a refused start
    // (another rollout, an invalid plan) must, so only these are retried.
    check.addRetry({
      errors: ['RolloutAwsError', 'ThrottlingException', 'Lambda.TooManyRequestsException'],
      interval: Duration.seconds(10),
      maxAttempts: 5,
      backoffRate: 2,
    });
    const hold = new Wait(this, 'Hold', { time: WaitTime.secondsPath('$.waitSeconds') });
    check.next(
      new Choice(this, 'Next')
        .when(Condition.stringEquals('$.status', 'finished'), new Succeed(this, 'Finished'))
        .when(
          Condition.stringEquals('$.status', 'rolled_back'),
          new Fail(this, 'RolledBack', { errorPath: '$.error', causePath: '$.cause' }),
        )
        .when(
          Condition.stringEquals('$.status', 'stopped'),
          new Fail(this, 'Stopped', { errorPath: '$.error', causePath: '$.cause' }),
        )
        .otherwise(hold.next(check)),
    );

    const logGroup = new LogGroup(this, 'Logs', {
      retention: defaults.logRetentionDays as RetentionDays,
      removalPolicy: defaults.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName,
      comment: 'Raises the flag step by step, rolling back on a stop-condition alarm',
      definitionBody: DefinitionBody.fromChainable(check),
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    Validations.of(this.stateMachine.role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Step Functions log delivery (logs:CreateLogDelivery, ...) and X-Ray tracing have no resource-level permissions: AWS requires Resource "*".',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(step.node.defaultChild as never)}.Arn>:*]`,
        reason:
          'Invoking the step function by any of its versions or aliases: the function itself is the only one.',
      },
    );
  }
}
