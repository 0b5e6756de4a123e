import { ArnFormat, Duration, Fn, Stack, Validations } from 'aws-cdk-lib';
import type { Alarm, IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SnsDestination, SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  DEFAULT_WAIT_SLICE_SECONDS,
  NOTHING_SAVED,
  previousFlagParameterName,
} from '../../lambda/rollout/constants.ts';
import { onAnyOccurrence } from './alarm-metrics.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import { FlagParameter } from './flag-parameter.ts';
import { type FunctionDefaults, IntegrationFunction } from './integration-function.ts';
import { addRolloutStateMachine } from './rollout-state-machine.ts';

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
  readonly rollbackAlarms: readonly IAlarm[];
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
    const alarmNames = props.rollbackAlarms.map((alarm) => alarm.alarmName);

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
    const shared: SharedFunctionSettings = {
      environment: {
        FLAG_PARAMETER_NAME: flag.parameterName,
        ROLLBACK_ALARMS: Fn.join(',', alarmNames),
        ROLLOUT_WAIT_SLICE_SECONDS: String(props.waitSliceSeconds ?? DEFAULT_WAIT_SLICE_SECONDS),
        ROLLOUT_MIN_EVENTS_PER_STEP: String(props.minEventsPerStep),
        RECORDING_FUNCTION_NAME: props.recordingFunctionName,
      },
      flagAccess: new PolicyStatement({
        sid: 'FlagAndSavedValue',
        actions: ['ssm:GetParameter', 'ssm:PutParameter'],
        resources: [flag.parameterArn, this.previousParameter.parameterArn],
      }),
    };

    this.rollbackDeadLetters = new DeadLetterQueue(this, 'RollbackDeadLetters', {
      purpose: 'alarm events EventBridge could not deliver to the rollback function',
      production: defaults.production,
    }).queue;
    this.rollbackFailures = new DeadLetterQueue(this, 'RollbackFailures', {
      purpose: 'alarm events the rollback function failed on after its retries',
      production: defaults.production,
    }).queue;
    this.rollbackFunction = this.addRollbackFunction(props, shared);
    this.alarmRule = this.addAlarmRule(alarmNames);
    this.stepFunction = this.addStepFunction(props, shared, stateMachineArn);
    this.stateMachine = addRolloutStateMachine(this, {
      step: this.stepFunction.function,
      stateMachineName,
      stateMachineArn,
      defaults,
    });
    this.alarms = this.rollbackAlarms();
  }

  /** The function that turns the flag off: retried by Lambda, its outcomes sent to a queue or the topic. */
  private addRollbackFunction(props: RolloutProps, shared: SharedFunctionSettings): IntegrationFunction {
    const rollbackFunction = new IntegrationFunction(this, 'Rollback', {
      entry: 'lambda/rollout/rollback-handler.ts',
      description: 'Turns the flag off when a stop-condition alarm goes into ALARM',
      failuresGoTo:
        'the alarm rule target has a dead-letter queue and the function an on-failure destination (the rollback failure queue); both alarm.',
      defaults: props.defaults,
      timeout: Duration.seconds(30),
      memorySize: 256,
      environment: shared.environment,
      reservedConcurrentExecutions: ROLLBACK_RESERVED_CONCURRENCY,
    });
    const rollback = rollbackFunction.function;
    rollback.addToRolePolicy(shared.flagAccess);
    // A failed first attempt is retried twice by Lambda (the rollback is idempotent); what still
    // fails lands on a queue that alarms, never nowhere.
    rollback.configureAsyncInvoke({
      retryAttempts: 2,
      onFailure: new SqsDestination(this.rollbackFailures),
      ...(props.alarmTopic ? { onSuccess: new SnsDestination(props.alarmTopic) } : {}),
    });
    if (props.alarmTopic)
      Validations.of(rollbackFunction.role).acknowledge({
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason:
          'Publishing to the encrypted alarm topic needs kms:GenerateDataKey* on its key only (the resource is that key); the wildcard covers the GenerateDataKey variants SNS may call.',
      });
    return rollbackFunction;
  }

  /** The rule that invokes the rollback when a stop-condition alarm goes into ALARM. */
  private addAlarmRule(alarmNames: readonly string[]): Rule {
    return new Rule(this, 'StopConditionAlarms', {
      description: 'Stop-condition alarms going into ALARM roll the flag back',
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: [ALARM_STATE_CHANGE],
        detail: { alarmName: alarmNames, state: { value: ['ALARM'] } },
      },
      targets: [
        new LambdaFunction(this.rollbackFunction.function, {
          retryAttempts: 20,
          maxEventAge: Duration.hours(2),
          deadLetterQueue: this.rollbackDeadLetters,
        }),
      ],
    });
  }

  /** The function of one step: it reads the alarms and the traffic, one rollout at a time. */
  private addStepFunction(
    props: RolloutProps,
    shared: SharedFunctionSettings,
    stateMachineArn: string,
  ): IntegrationFunction {
    const stepFunction = new IntegrationFunction(this, 'Step', {
      entry: 'lambda/rollout/step-handler.ts',
      description: 'One rollout step: check the stop conditions, then raise, wait, roll back or end',
      failuresGoTo:
        'Step Functions invokes it synchronously: a failure is retried by the state machine and ends the execution as FAILED, which alarms.',
      defaults: props.defaults,
      timeout: Duration.seconds(30),
      memorySize: 256,
      environment: shared.environment,
    });
    const step = stepFunction.function;
    step.addToRolePolicy(shared.flagAccess);
    step.addToRolePolicy(
      new PolicyStatement({
        sid: 'StopConditionStatesAndTraffic',
        // AWS documents that DescribeAlarms returns composite alarms (a platform's may be one) only
        // with the action on "*"; GetMetricData has no resource-level permissions at all.
        actions: ['cloudwatch:DescribeAlarms', 'cloudwatch:GetMetricData'],
        resources: ['*'],
      }),
    );
    Validations.of(stepFunction.role).acknowledge({
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
    return stepFunction;
  }

  /** The rollback path must not fail silently: each of its failure places alarms. */
  private rollbackAlarms(): Alarm[] {
    const rollback = this.rollbackFunction.function;
    return [
      rollback
        .metricErrors({ statistic: 'Sum', period: Duration.minutes(1) })
        .createAlarm(
          this,
          'RollbackErrors',
          onAnyOccurrence(
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
            onAnyOccurrence(
              `An alarm event ${what} is waiting: a rollback did not happen. Turn the flag off by hand (\`tpi flag set off\`), then read the message's alarm and the function logs.`,
            ),
          ),
      ),
      this.stateMachine
        .metricFailed({ statistic: 'Sum', period: Duration.minutes(1) })
        .createAlarm(
          this,
          'RolloutExecutionsFailed',
          onAnyOccurrence(
            'A rollout ended failed: rolled back on a stop condition, stopped because the flag was changed by hand, or broken. `tpi rollout status` says which; after a rollback, fix the cause, then `tpi flag restore`.',
          ),
        ),
      this.stateMachine
        .metricTimedOut({ statistic: 'Sum', period: Duration.minutes(1) })
        .createAlarm(
          this,
          'RolloutExecutionsTimedOut',
          onAnyOccurrence('A rollout execution timed out: start it again with `tpi rollout start`.'),
        ),
    ];
  }
}

/** What the rollback and step functions share: their environment and their access to the flag. */
interface SharedFunctionSettings {
  readonly environment: Readonly<Record<string, string>>;
  readonly flagAccess: PolicyStatement;
}
