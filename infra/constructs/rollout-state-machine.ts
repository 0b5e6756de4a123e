import { Aws, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  type IChainable,
  JsonPath,
  LogLevel,
  StateMachine,
  Succeed,
  TaskInput,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { CallAwsService, LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { MAX_WAIT_SLICE_SECONDS, rolloutExecutionTimeoutSeconds } from '../../lambda/rollout/constants.ts';
import { acknowledgeCfnLint, W3005_CDK_ROLE_DEPENDENCY } from './cfn-lint.ts';
import { acknowledgeLogGroup, type FunctionDefaults } from './integration-function.ts';

/** What {@link addRolloutStateMachine} builds the machine from. */
export interface RolloutStateMachineProps {
  /** The function of one step: checks the alarms, then raises, waits, rolls back or ends. */
  readonly step: IFunction;
  /** The machine's name, known before it exists (the step's policy names its ARN). */
  readonly stateMachineName: string;
  readonly stateMachineArn: string;
  readonly defaults: FunctionDefaults;
}

/**
 * The rollout state machine, its states and log group as children of `scope` (the ids are those
 * they had when the rollout construct declared them itself, so logical IDs stay the same): the step
 * task loops through Wait slices until the plan finishes, rolls back or stops, and continues as a
 * new execution when the step says so.
 */
export function addRolloutStateMachine(scope: Construct, props: RolloutStateMachineProps): StateMachine {
  const { step, stateMachineName, defaults } = props;
  const stack = Stack.of(scope);
  const definition = rolloutDefinition(scope, step, props.stateMachineArn);
  // Under /aws/vendedlogs/states/ (CloudWatch Logs resource-policy size limit), with the stack's
  // id in the name: a retained group of a deleted production stack does not block a new one.
  const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
  const logGroup = new LogGroup(scope, 'Logs', {
    logGroupName: `/aws/vendedlogs/states/${stateMachineName}-${stackUuid}`,
    retention: defaults.logRetentionDays as RetentionDays,
    removalPolicy: defaults.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  acknowledgeLogGroup(logGroup, defaults.logRetentionDays);
  const machine = new StateMachine(scope, 'StateMachine', {
    stateMachineName,
    comment: 'Raises the flag step by step, rolling back on a stop-condition alarm',
    definitionBody: DefinitionBody.fromChainable(definition),
    logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: true },
    tracingEnabled: true,
    // Turns x (capped Wait + task) plus a day: past it an execution is stuck, and the
    // ExecutionsTimedOut alarm can fire (without a timeout an execution may run for a year).
    timeout: Duration.seconds(rolloutExecutionTimeoutSeconds()),
  });
  acknowledgeCfnLint(machine, 'W3005', W3005_CDK_ROLE_DEPENDENCY);
  Validations.of(machine.role).acknowledge(
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
  return machine;
}

/** Check, then finish, fail, continue as new or hold and check again: the machine's states. */
function rolloutDefinition(scope: Construct, step: IFunction, stateMachineArn: string): IChainable {
  const check = new LambdaInvoke(scope, 'Check', {
    lambdaFunction: step,
    payload: TaskInput.fromObject({
      rollout: JsonPath.entirePayload,
      executionArn: JsonPath.stringAt('$$.Execution.Id'),
      stateMachineArn: JsonPath.stringAt('$$.StateMachine.Id'),
    }),
    payloadResponseOnly: true,
    retryOnServiceExceptions: true,
  });
  // A throttled or briefly failing AWS call must not end a week-long rollout, and a rollback whose
  // write failed is retried (the next attempt sees the same alarm and rolls back); a refused
  // start (another rollout, an invalid plan) must end it, so only these are retried.
  check.addRetry({
    errors: ['RolloutAwsError', 'ThrottlingException', 'Lambda.TooManyRequestsException'],
    interval: Duration.seconds(10),
    maxAttempts: 5,
    backoffRate: 2,
  });
  const continueAsNew = new CallAwsService(scope, 'ContinueAsNew', {
    service: 'sfn',
    action: 'startExecution',
    parameters: {
      StateMachineArn: JsonPath.stringAt('$$.StateMachine.Id'),
      Input: JsonPath.jsonToString(JsonPath.objectAt('$')),
    },
    iamResources: [stateMachineArn],
    resultPath: JsonPath.DISCARD,
  });
  continueAsNew.addRetry({ errors: ['States.ALL'], interval: Duration.seconds(10), maxAttempts: 5 });
  const hold = new Wait(scope, 'Hold', { time: WaitTime.secondsPath('$.waitSeconds') });
  // The machine never waits longer than MAX_WAIT_SLICE_SECONDS, whatever a step asks: the bound
  // its timeout is derived from. One Choice per turn still (this is a branch of it), 9 events.
  const holdCapped = new Wait(scope, 'HoldCapped', {
    time: WaitTime.duration(Duration.seconds(MAX_WAIT_SLICE_SECONDS)),
  });
  check.next(
    new Choice(scope, 'Next')
      .when(Condition.stringEquals('$.status', 'finished'), new Succeed(scope, 'Finished'))
      .when(
        Condition.stringEquals('$.status', 'rolled_back'),
        new Fail(scope, 'RolledBack', { errorPath: '$.error', causePath: '$.cause' }),
      )
      .when(
        Condition.stringEquals('$.status', 'stopped'),
        new Fail(scope, 'Stopped', { errorPath: '$.error', causePath: '$.cause' }),
      )
      .when(
        Condition.booleanEquals('$.continueAsNew', true),
        continueAsNew.next(new Succeed(scope, 'ContinuedAsNew')),
      )
      .when(
        Condition.and(
          Condition.isPresent('$.waitSeconds'),
          Condition.numberGreaterThan('$.waitSeconds', MAX_WAIT_SLICE_SECONDS),
        ),
        holdCapped.next(check),
      )
      .otherwise(hold.next(check)),
  );
  return check;
}
