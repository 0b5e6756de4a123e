import { ArnFormat, Aws, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator, type IAlarm, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SnsDestination, SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
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
import { CallAwsService, LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import {
  DEFAULT_WAIT_SLICE_SECONDS,
  NOTHING_SAVED,
  previousFlagParameterName,
} from '../../lambda/domain/rollout.ts';
import { acknowledgeCfnLint, W3005_CDK_ROLE_DEPENDENCY } from './cfn-lint.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import { FlagParameter } from './flag-parameter.ts';
import { acknowledgeLogGroup, type FunctionDefaults, IntegrationFunction } from './integration-function.ts';

/** The event CloudWatch sends to the default bus when an alarm changes state. */
export const ALARM_STATE_CHANGE = 'CloudWatch Alarm State Change';

/**
 * Concurrency kept for the rollback function: a replay or a burst can take the rest of the
 * account's concurrency, never this. Two, so a second alarm in the same second is not throttled.
 */
export const ROLLBACK_RESERVED_CONCURRENCY = 2;

/** Properties of {@link Rollout}. */
export interface RolloutProps {
  readonly flag: FlagParameter;
  /** The alarms that stop a rollout and roll the flag back. */
  readonly stopConditionAlarms: readonly IAlarm[];
  /** When set, every rollback is published here. */
  readonly alarmTopic?: ITopic | undefined;
  readonly defaults: FunctionDefaults;
  /** The recording function: its invocations are the events a step handled. */
  readonly recordingFunctionName: string;
  /** Events a step must handle before its hold counts (a plan may say otherwise). */
  readonly minEventsPerStep: number;
  /** Longest single Wait of the machine: how often alarms are re-checked during a hold. @default 300 */
  readonly waitSliceSeconds?: number;
}

/**
 * Progressive rollout of the flag with automatic stop conditions:
 * - a rule on the stop-condition alarms going into ALARM invokes a function that saves the flag in
 *   `<flag>/previous` and turns it off (published to the alarm topic when there is one); the rule's
 *   target has a dead-letter queue, the function an on-failure queue and reserved concurrency, and
 *   alarms watch all three;
 * - a state machine raises the flag step by step, a task checking the alarms before each raise and
 *   between Wait slices, all decisions taken by the shared `decide`; after 2,000 turns an execution
 *   continues as a new one, so no plan hits the history limit.
 */
export class Rollout extends Construct {
  readonly stateMachine: StateMachine;
  readonly stepFunction: IntegrationFunction;
  readonly rollbackFunction: IntegrationFunction;
  readonly alarmRule: Rule;
  readonly previousParameter: FlagParameter;
  /** Events the alarm rule could not deliver to the rollback function. */
  readonly rollbackDeadLetters: Queue;
  /** Alarm events the rollback function failed on after its retries. */
  readonly rollbackFailures: Queue;
  /** Alarms on the rollback path itself (they notify; they are not stop conditions). */
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: RolloutProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { flag, defaults } = props;
    const alarmNames = props.stopConditionAlarms.map((alarm) => alarm.alarmName);

    // Create-if-absent like the flag: a retained value from a deleted stack must not block a new one.
    this.previousParameter = new FlagParameter(this, 'PreviousFlag', {
      parameterName: previousFlagParameterName(flag.parameterName),
      production: defaults.production,
      initialValue: NOTHING_SAVED,
      description: 'Flag value saved by the last automatic rollback; `tpi flag restore` puts it back.',
    });

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
      ROLLOUT_MIN_EVENTS_PER_STEP: String(props.minEventsPerStep),
      RECORDING_FUNCTION_NAME: props.recordingFunctionName,
    };
    const flagAccess = new PolicyStatement({
      sid: 'FlagAndSavedValue',
      actions: ['ssm:GetParameter', 'ssm:PutParameter'],
      resources: [flag.parameterArn, this.previousParameter.parameterArn],
    });

    this.rollbackDeadLetters = new DeadLetterQueue(this, 'RollbackDeadLetters', {
      purpose: 'alarm events EventBridge could not deliver to the rollback function',
      production: defaults.production,
    }).queue;
    this.rollbackFailures = new DeadLetterQueue(this, 'RollbackFailures', {
      purpose: 'alarm events the rollback function failed on after its retries',
      production: defaults.production,
    }).queue;
    this.rollbackFunction = new IntegrationFunction(this, 'Rollback', {
      entry: 'lambda/handlers/rollout-rollback.ts',
      description: 'Turns the flag off when a stop-condition alarm goes into ALARM',
      failuresGoTo:
        'the alarm rule target has a dead-letter queue and the function an on-failure destination (the rollback failure queue); both alarm.',
      defaults,
      timeout: Duration.seconds(30),
      memorySize: 256,
      environment,
      reservedConcurrentExecutions: ROLLBACK_RESERVED_CONCURRENCY,
    });
    const rollback = this.rollbackFunction.function;
    rollback.addToRolePolicy(flagAccess);
    // A failed first attempt is retried twice by Lambda (the rollback is idempotent); what still
    // fails lands on a queue that alarms, never nowhere.
    rollback.configureAsyncInvoke({
      retryAttempts: 2,
      onFailure: new SqsDestination(this.rollbackFailures),
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
      targets: [
        new LambdaFunction(rollback, {
          retryAttempts: 20,
          maxEventAge: Duration.hours(2),
          deadLetterQueue: this.rollbackDeadLetters,
        }),
      ],
    });

    this.stepFunction = new IntegrationFunction(this, 'Step', {
      entry: 'lambda/handlers/rollout-step.ts',
      description: 'One rollout step: check the stop conditions, then raise, wait, roll back or end',
      failuresGoTo:
        'Step Functions invokes it synchronously: a failure is retried by the state machine and ends the execution as FAILED, which alarms.',
      defaults,
      timeout: Duration.seconds(30),
      memorySize: 256,
      environment,
    });
    const step = this.stepFunction.function;
    step.addToRolePolicy(flagAccess);
    step.addToRolePolicy(
      new PolicyStatement({
        sid: 'StopConditionStatesAndTraffic',
        // AWS documents that DescribeAlarms returns composite alarms (a platform's may be one) only
        // with the action on "*"; GetMetricData has no resource-level permissions at all.
        actions: ['cloudwatch:DescribeAlarms', 'cloudwatch:GetMetricData'],
        resources: ['*'],
      }),
    );
    Validations.of(this.stepFunction.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudwatch:DescribeAlarms must be on "*" to return composite alarms (AWS documents a narrower scope hides them) and cloudwatch:GetMetricData has no resource-level permissions; both only read. X-Ray tracing also requires "*".',
    });
    step.addToRolePolicy(
      new PolicyStatement({
        sid: 'OneRolloutAtATime',
        actions: ['states:ListExecutions'],
        resources: [stateMachineArn],
      }),
    );

    this.stateMachine = this.machine(step, stateMachineName, stateMachineArn, defaults);
    this.alarms = this.rollbackAlarms();
  }

  private machine(
    step: IntegrationFunction['function'],
    stateMachineName: string,
    stateMachineArn: string,
    defaults: FunctionDefaults,
  ): StateMachine {
    const stack = Stack.of(this);
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
    // A throttled or briefly failing AWS call must not end a week-long rollout, and a rollback whose
    // write failed is retried (the next attempt sees the same alarm and rolls back); a refused
    // start (another rollout, an invalid plan) must end it, so only these are retried.
    check.addRetry({
      errors: ['RolloutAwsError', 'ThrottlingException', 'Lambda.TooManyRequestsException'],
      interval: Duration.seconds(10),
      maxAttempts: 5,
      backoffRate: 2,
    });
    const continueAsNew = new CallAwsService(this, 'ContinueAsNew', {
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
        .when(
          Condition.booleanEquals('$.continueAsNew', true),
          continueAsNew.next(new Succeed(this, 'ContinuedAsNew')),
        )
        .otherwise(hold.next(check)),
    );

    // Under /aws/vendedlogs/states/ (CloudWatch Logs resource-policy size limit), with the stack's
    // id in the name: a retained group of a deleted production stack does not block a new one.
    const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
    const logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${stateMachineName}-${stackUuid}`,
      retention: defaults.logRetentionDays as RetentionDays,
      removalPolicy: defaults.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    acknowledgeLogGroup(logGroup, defaults.logRetentionDays);
    const machine = new StateMachine(this, 'StateMachine', {
      stateMachineName,
      comment: 'Raises the flag step by step, rolling back on a stop-condition alarm',
      definitionBody: DefinitionBody.fromChainable(check),
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
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

  /** The rollback path must not fail silently: each of its failure places alarms. */
  private rollbackAlarms(): Alarm[] {
    const options = (description: string) => ({
      alarmDescription: description,
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const rollback = this.rollbackFunction.function;
    return [
      rollback
        .metricErrors({ statistic: 'Sum', period: Duration.minutes(1) })
        .createAlarm(
          this,
          'RollbackErrors',
          options(
            'The rollback function failed: a stop condition may have fired without turning the flag off. Check the flag now (`tpi flag get`), set it off by hand if needed, then read the function logs.',
          ),
        ),
      ...(
        [
          [this.rollbackDeadLetters, 'RollbackDeadLettersMessages', 'EventBridge could not deliver'],
          [this.rollbackFailures, 'RollbackFailuresMessages', 'the rollback function failed on'],
        ] as const
      ).map(([queue, alarmId, what]) =>
        queue
          .metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(1) })
          .createAlarm(
            this,
            alarmId,
            options(
              `An alarm event ${what} is waiting: a rollback did not happen. Turn the flag off by hand (\`tpi flag set off\`), then read the message's alarm and the function logs.`,
            ),
          ),
      ),
      this.stateMachine
        .metricFailed({ statistic: 'Sum', period: Duration.minutes(1) })
        .createAlarm(
          this,
          'RolloutExecutionsFailed',
          options(
            'A rollout ended failed: rolled back on a stop condition, stopped because the flag was changed by hand, or broken. `tpi rollout status` says which; after a rollback, fix the cause, then `tpi flag restore`.',
          ),
        ),
      this.stateMachine
        .metricTimedOut({ statistic: 'Sum', period: Duration.minutes(1) })
        .createAlarm(
          this,
          'RolloutExecutionsTimedOut',
          options('A rollout execution timed out: start it again with `tpi rollout start`.'),
        ),
    ];
  }
}
