import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { type EventPattern, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SnsDestination, SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  DEFAULT_WAIT_SLICE_SECONDS,
  ROLLOUT_ENVIRONMENT as ENV,
  MAX_WAIT_SLICE_SECONDS,
} from '../../lambda/rollout/constants.ts';
import { markRollbackTrigger } from '../checks/markers.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import type { FlagParameter } from './flag-parameter.ts';
import { type FunctionDefaults, IntegrationFunction } from './integration-function.ts';
import { addRollbackAlarms } from './rollout-alarms.ts';
import { addRolloutParameters, type RolloutParameters } from './rollout-parameters.ts';
import { addRolloutStateMachine } from './rollout-state-machine.ts';

/** The event CloudWatch sends to the default bus when an alarm changes state. */
export const ALARM_STATE_CHANGE = 'CloudWatch Alarm State Change';
/** The event Systems Manager sends to the default bus when a parameter is created or changed. */
export const PARAMETER_STORE_CHANGE = 'Parameter Store Change';

/**
 * Concurrency kept for the rollback function: a replay or a burst can take the rest of the
 * account's concurrency, never this. Two, so a second alarm in the same second is not throttled.
 */
export const ROLLBACK_RESERVED_CONCURRENCY = 2;

/** Properties of {@link Rollout}. */
export interface RolloutProps {
  readonly flag: FlagParameter;
  /**
   * Name of the composite alarm in ALARM while any stop condition is: the only alarm the rollback
   * rule matches, and all the rollout functions are told (they read its children at run time).
   */
  readonly stopConditionsAlarmName: string;
  /** The alarm that says the scheduled audit stopped: in ALARM it holds raises, never rolls back. */
  readonly auditAlarmName: string;
  /** When set, every rollback is published here. */
  readonly alarmTopic?: ITopic | undefined;
  readonly defaults: FunctionDefaults;
  /** The recording function: its invocations are the events a step handled. */
  readonly recordingFunctionName: string;
  /** Events a step must handle before its hold counts (a plan may say otherwise). */
  readonly minEventsPerStep: number;
  /**
   * Longest single Wait of the machine: how often alarms are re-checked during a hold; at most
   * `MAX_WAIT_SLICE_SECONDS`. @default DEFAULT_WAIT_SLICE_SECONDS (300)
   */
  readonly waitSliceSeconds?: number;
}

/**
 * Progressive rollout of the flag with automatic stop conditions:
 * - a rule on the stop-conditions composite alarm going into ALARM invokes a function that saves
 *   the flag in `<flag>/previous` and turns it off (published to the alarm topic when there is
 *   one); a second rule sends it every change of the flag, so a raise made while a stop condition
 *   is in ALARM can be undone. The targets have a dead-letter queue, the function an on-failure
 *   queue and reserved concurrency, and alarms watch all of them;
 * - `<flag>/rollout-state` says whether the stop conditions are armed (during a rollout and its
 *   bake time) and which raise is not confirmed yet; both functions read and write it;
 * - a state machine raises the flag step by step, a task checking the stop conditions before each
 *   raise and between Wait slices, all decisions taken by the shared `decide`; after 2,000 turns
 *   an execution continues as a new one, so no plan hits the history limit, and the machine's
 *   timeout bounds a stuck one.
 */
export class Rollout extends Construct {
  readonly stateMachine: StateMachine;
  readonly stepFunction: IntegrationFunction;
  readonly rollbackFunction: IntegrationFunction;
  /** Matches the stop-conditions composite alarm going into ALARM. */
  readonly alarmRule: Rule;
  /** Matches creations and changes of the flag parameter. */
  readonly flagChangeRule: Rule;
  readonly previousParameter: FlagParameter;
  /** Whether the stop conditions are armed and which raise is pending (JSON, `RolloutArming`). */
  readonly stateParameter: FlagParameter;
  /** Events the rules could not deliver to the rollback function. */
  readonly rollbackDeadLetters: Queue;
  /** Events the rollback function failed on after its retries. */
  readonly rollbackFailures: Queue;
  /** Alarms on the rollback path itself (they page; they are not stop conditions). */
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: RolloutProps) {
    super(scope, id);
    const { flag, defaults } = props;
    const parameters = addRolloutParameters(this, flag, defaults.production);
    this.previousParameter = parameters.previous;
    this.stateParameter = parameters.state;
    const shared = this.sharedSettings(props, parameters);
    // Named, so the task's policy can name the machine's ARN without a reference cycle (the machine
    // refers to the function, whose role policy would refer back to the machine).
    const stateMachineName = `${Stack.of(this).stackName}-Rollout`;
    const stateMachineArn = Stack.of(this).formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.rollbackDeadLetters = new DeadLetterQueue(this, 'RollbackDeadLetters', {
      purpose: 'alarm and flag events EventBridge could not deliver to the rollback function',
      retain: defaults.retainData,
    }).queue;
    this.rollbackFailures = new DeadLetterQueue(this, 'RollbackFailures', {
      purpose: 'alarm and flag events the rollback function failed on after its retries',
      retain: defaults.retainData,
    }).queue;
    this.rollbackFunction = this.addRollbackFunction(props, shared);
    this.alarmRule = this.addRollbackRule(
      'StopConditionAlarms',
      'The stop-conditions composite alarm going into ALARM rolls the flag back',
      stopConditionsInAlarm(props.stopConditionsAlarmName),
    );
    markRollbackTrigger(this.alarmRule, true);
    this.flagChangeRule = this.addRollbackRule(
      'FlagChanges',
      'A change of the flag: the rollback undoes a raise made while a stop condition is in ALARM',
      flagChanges(flag.parameterName),
    );
    this.stepFunction = this.addStepFunction(props, shared, stateMachineArn);
    this.stateMachine = addRolloutStateMachine(this, {
      step: this.stepFunction.function,
      stateMachineName,
      stateMachineArn,
      defaults,
    });
    this.alarms = addRollbackAlarms(this, {
      rollbackFunction: this.rollbackFunction.function,
      rules: [this.alarmRule, this.flagChangeRule],
      rollbackDeadLetters: this.rollbackDeadLetters,
      rollbackFailures: this.rollbackFailures,
      stateMachine: this.stateMachine,
    });
  }

  /**
   * The environment and flag access both functions get. Names only, whatever the number of alarms:
   * the functions read the composite's children (DescribeAlarms `ChildrenOfAlarmName`) when they
   * run, so the environment stays far below Lambda's 4 KB.
   */
  private sharedSettings(props: RolloutProps, parameters: RolloutParameters): SharedFunctionSettings {
    const slice = props.waitSliceSeconds ?? DEFAULT_WAIT_SLICE_SECONDS;
    if (!Number.isInteger(slice) || slice < 1 || slice > MAX_WAIT_SLICE_SECONDS)
      throw new Error(
        `waitSliceSeconds must be a whole number from 1 to ${MAX_WAIT_SLICE_SECONDS}, got ${slice}`,
      );
    return {
      environment: {
        [ENV.flagParameterName]: props.flag.parameterName,
        [ENV.stopConditionsAlarmName]: props.stopConditionsAlarmName,
        [ENV.rolloutStateParameterName]: parameters.state.parameterName,
        [ENV.auditAlarmName]: props.auditAlarmName,
        [ENV.waitSliceSeconds]: String(slice),
        [ENV.minEventsPerStep]: String(props.minEventsPerStep),
        [ENV.recordingFunctionName]: props.recordingFunctionName,
      },
      flagAccess: parameters.access,
    };
  }

  /** The function that turns the flag off: retried by Lambda, its outcomes sent to a queue or the topic. */
  private addRollbackFunction(props: RolloutProps, shared: SharedFunctionSettings): IntegrationFunction {
    const rollbackFunction = new IntegrationFunction(this, 'Rollback', {
      entry: 'lambda/rollout/rollback-handler.ts',
      description:
        'Turns the flag off when a stop condition goes into ALARM, and undoes a raise made while one is',
      failuresGoTo:
        'both rule targets have a dead-letter queue and the function an on-failure destination (the rollback failure queue); all of them alarm.',
      defaults: props.defaults,
      timeout: Duration.seconds(30),
      memorySize: 256,
      environment: shared.environment,
      reservedConcurrentExecutions: ROLLBACK_RESERVED_CONCURRENCY,
    });
    const rollback = rollbackFunction.function;
    rollback.addToRolePolicy(shared.flagAccess);
    rollback.addToRolePolicy(
      new PolicyStatement({
        sid: 'FlagHistory',
        // Whether a change raised the flag, who made it, and whether it was forced: the flag's
        // last versions with their descriptions and LastModifiedUser.
        actions: ['ssm:GetParameterHistory'],
        resources: [props.flag.parameterArn],
      }),
    );
    rollback.addToRolePolicy(
      new PolicyStatement({
        sid: 'StopConditionStates',
        // Whether a stop condition is in ALARM when the flag changes: the composite's children,
        // which DescribeAlarms returns (composite alarms included) only with the action on "*".
        actions: ['cloudwatch:DescribeAlarms'],
        resources: ['*'],
      }),
    );
    Validations.of(rollbackFunction.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudwatch:DescribeAlarms must be on "*" to return composite alarms (AWS documents a narrower scope hides them); it only reads alarm states. X-Ray tracing also requires "*".',
    });
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

  /** A rule on the default bus that invokes the rollback function, retried, with a dead-letter queue. */
  private addRollbackRule(id: string, description: string, eventPattern: EventPattern): Rule {
    return new Rule(this, id, {
      description,
      eventPattern,
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
}

/** The top-level stop-conditions composite going into ALARM: one name, whatever the number of alarms. */
export function stopConditionsInAlarm(compositeName: string): EventPattern {
  return {
    source: ['aws.cloudwatch'],
    detailType: [ALARM_STATE_CHANGE],
    detail: { alarmName: [compositeName], state: { value: ['ALARM'] } },
  };
}

/**
 * The flag created or changed, by anyone. SSM delivers these events best effort
 * (https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-ssm.html): the rollout and the CLI
 * check the stop conditions themselves before raising; this rule catches a raw put-parameter.
 */
export function flagChanges(flagParameterName: string): EventPattern {
  return {
    source: ['aws.ssm'],
    detailType: [PARAMETER_STORE_CHANGE],
    detail: { name: [flagParameterName], operation: ['Create', 'Update'] },
  };
}

/** What the rollback and step functions share: their environment and their access to the flag. */
interface SharedFunctionSettings {
  readonly environment: Readonly<Record<string, string>>;
  readonly flagAccess: PolicyStatement;
}
