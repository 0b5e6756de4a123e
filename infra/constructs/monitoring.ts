import { Duration, Validations } from 'aws-cdk-lib';
import {
  type Alarm,
  ComparisonOperator,
  type Dashboard,
  type IAlarm,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IRule } from 'aws-cdk-lib/aws-events';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ITopic, Subscription, SubscriptionProtocol, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FLAG_VALUES } from '../../lambda/shared/contract/flag.ts';
import { METRIC } from '../../lambda/shared/observability.ts';
import { onAnyOccurrence, serviceMetric } from './alarm-metrics.ts';
import { addDashboard, type BusinessMetric } from './monitoring-dashboard.ts';

const PERIOD = Duration.minutes(5);

/** Properties of {@link Monitoring}. */
export interface MonitoringProps {
  readonly recordingFunction: IFunction;
  readonly statisticsFunction: IFunction;
  /** Every queue where undeliverable or failed messages wait, by a short label. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** Powertools `service` dimension of the integration's metrics. */
  readonly serviceName: string;
  readonly metricsNamespace: string;
  readonly iteratorAgeAlarmSeconds: number;
  /** When set, alarms notify this address through an encrypted SNS topic. */
  readonly alarmEmail?: string | undefined;
  /** When set, alarms notify this existing topic (its key policy must let CloudWatch publish). */
  readonly alarmTopicArn?: string | undefined;
  /** The rules delivering events to the recording function (their failures to reach the DLQ). */
  readonly deliveryRules: readonly IRule[];
  /**
   * The custom bus those rules are on: EventBridge publishes a custom bus rule's metrics under both
   * `EventBusName` and `RuleName` ("Metrics that specify only the RuleName dimension refer to the
   * default event bus", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html).
   */
  readonly deliveryBusName: string;
  /** Functions whose asynchronous or stream destinations could fail to receive a record. */
  readonly destinationFunctions: Readonly<Record<string, IFunction>>;
  /** Oldest event in the recording function's asynchronous queue that pages, in seconds. */
  readonly asyncEventAgeSeconds: number;
  /**
   * The four stop conditions (infra/constructs/stop-condition-alarms.ts): their own alarms notify
   * here like every alarm, and the dashboard shows the composites first (the platform's alarms are
   * behind the tournament-operations composite, however many there are).
   */
  readonly stopConditions: { readonly alarms: readonly Alarm[]; readonly composites: readonly IAlarm[] };
}

/**
 * The paging alarms, the alarm topic and the dashboard. None of these alarms touches the flag:
 * only the four stop conditions may roll it back (infra/constructs/stop-condition-alarms.ts); an
 * invalid event, a dead letter, a conflict, a throttle or a lagging stream pages an operator.
 */
export class Monitoring extends Construct {
  /** Alarms that need an operator and never roll the flag back. */
  readonly pagingAlarms: readonly Alarm[];
  readonly dashboard: Dashboard;
  readonly alarmTopic: ITopic | undefined;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const business = (metricName: string, label?: string) => serviceMetric(props, metricName, PERIOD, label);
    this.pagingAlarms = [
      ...this.queueAlarms(props),
      ...this.deliveryAlarms(props, business),
      ...this.lagAlarms(props),
      ...this.destinationAlarms(props, business),
    ];
    this.alarmTopic = this.topic(props);
    this.notify(...this.pagingAlarms, ...props.stopConditions.alarms);
    const { stopConditions } = props;
    this.dashboard = addDashboard(this, {
      ...props,
      business,
      alarms: [...stopConditions.composites, ...stopConditions.alarms, ...this.pagingAlarms],
    });
  }

  /** Any message waiting in a dead-letter or failure queue. */
  private queueAlarms(props: MonitoringProps): Alarm[] {
    return Object.entries(props.deadLetterQueues).map(([label, queue]) =>
      queue
        .metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(1) })
        .createAlarm(
          this,
          `${label}Messages`,
          onAnyOccurrence(
            `Messages wait in the ${label} queue: events or records that could not be processed. Inspect and redrive them (docs/deploy.md, "Dead letters").`,
          ),
        ),
    );
  }

  /** Invalid events, deliveries lost beyond the dead-letter queue, and idempotency conflicts. */
  private deliveryAlarms(props: MonitoringProps, business: BusinessMetric): Alarm[] {
    return [
      business(METRIC.invalid).createAlarm(
        this,
        'InvalidEvents',
        onAnyOccurrence(
          'Events were rejected as invalid and stored in the dead-letter table. List them with `tpi dead-letters list`, fix the publisher or the contract version, then `tpi dead-letters redrive`.',
        ),
      ),
      new MathExpression({
        expression: `SUM([${props.deliveryRules.map((_, i) => `FILL(r${i}, 0)`).join(', ')}])`,
        usingMetrics: Object.fromEntries(
          props.deliveryRules.map((rule, i) => [
            `r${i}`,
            new Metric({
              namespace: 'AWS/Events',
              metricName: 'InvocationsFailedToBeSentToDlq',
              dimensionsMap: { EventBusName: props.deliveryBusName, RuleName: rule.ruleName },
              statistic: 'Sum',
              period: PERIOD,
            }),
          ]),
        ),
        period: PERIOD,
      }).createAlarm(
        this,
        'DeliveryDeadLettersUnreachable',
        onAnyOccurrence(
          'EventBridge gave up on events and could not put them in the delivery dead-letter queue either: they are lost unless replayed. Check the queue policy, then replay the archive window.',
        ),
      ),
      business(METRIC.conflict).createAlarm(
        this,
        'IdempotencyConflicts',
        onAnyOccurrence(
          'A publisher reused an idempotency key for a different action; nothing was overwritten. Find the key in the recording logs ("idempotency conflict") and fix the publisher.',
        ),
      ),
    ];
  }

  /** Statistics lagging the stream, recording events waiting, and either function throttled. */
  private lagAlarms(props: MonitoringProps): Alarm[] {
    const recording = props.recordingFunction;
    const statistics = props.statisticsFunction;
    return [
      // Event age grows with throttles and retried errors: a capacity matter that pages, never a
      // reason to turn the flag off (the error rate and the duration are the stop conditions).
      recording
        .metric('AsyncEventAge', { statistic: 'Maximum', period: PERIOD })
        .createAlarm(this, 'RecordingAsyncEventAge', {
          alarmDescription: `Events waited more than ${props.asyncEventAgeSeconds} s in the recording function's asynchronous queue in 2 of 3 5-minute periods (throttles, retried errors or slow writes). Check the recording throttles, errors and duration; raise recordingMaxConcurrency or the account's concurrency if it is throttled.`,
          threshold: props.asyncEventAgeSeconds * 1000,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      statistics
        .metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) })
        .createAlarm(this, 'StatisticsIteratorAge', {
          alarmDescription: `Statistics lag the activity stream by more than ${props.iteratorAgeAlarmSeconds} s. Check the statistics function's errors and throttles; records older than the stream retention are lost.`,
          threshold: props.iteratorAgeAlarmSeconds * 1000,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 3,
          datapointsToAlarm: 3,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      ...(
        [
          ['Recording', recording],
          ['Statistics', statistics],
        ] as const
      ).map(([label, fn]) =>
        fn
          .metricThrottles({ statistic: 'Sum', period: PERIOD })
          .createAlarm(
            this,
            `${label}Throttles`,
            onAnyOccurrence(
              `The ${label} function was throttled. Raise the account's concurrency quota or the function's reserved concurrency; throttled work is retried.`,
            ),
          ),
      ),
    ];
  }

  /** Failures whose records are lost, and a flag nobody can read. */
  private destinationAlarms(props: MonitoringProps, business: BusinessMetric): Alarm[] {
    return [
      ...Object.entries(props.destinationFunctions).map(([label, fn]) =>
        fn
          .metric('DestinationDeliveryFailures', { statistic: 'Sum', period: PERIOD })
          .createAlarm(
            this,
            `${label}DestinationDeliveryFailures`,
            onAnyOccurrence(
              `Lambda could not deliver a failed ${label} record to its on-failure destination: the record is lost. Check the destination's policy and size limits; replay or audit the affected window.`,
            ),
          ),
      ),
      business(METRIC.flagMisconfigured).createAlarm(
        this,
        'FlagMisconfigured',
        onAnyOccurrence(
          `The flag parameter holds a value that is not one of ${FLAG_VALUES}, so the integration is off. Put a valid value (docs/deploy.md, "Rollout").`,
        ),
      ),
    ];
  }

  /** Sends the alarms' ALARM and OK transitions to the alarm topic, when there is one. */
  notify(...alarms: readonly Alarm[]): void {
    if (!this.alarmTopic) {
      for (const alarm of alarms)
        Validations.of(alarm).acknowledge({
          id: 'cdk-validator-cfnguard::cloudwatch_alarm_action_check',
          reason:
            'No alarm target configured (alarmEmail / alarmTopicArn): allowed outside production only, where synth refuses the omission. Stop-condition alarms still roll the flag back through the EventBridge rule, which needs no alarm action.',
        });
      return;
    }
    const action = new SnsAction(this.alarmTopic);
    for (const alarm of alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }

  private topic(props: MonitoringProps): ITopic | undefined {
    if (props.alarmTopicArn) {
      const topic = Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn);
      if (props.alarmEmail) topic.addSubscription(new EmailSubscription(props.alarmEmail));
      return topic;
    }
    if (props.alarmEmail) {
      // CloudWatch can only publish to an encrypted topic whose key lets it: the AWS-managed SNS
      // key does not, hence a customer-managed key with rotation.
      const key = new Key(this, 'AlarmTopicKey', {
        description: 'Encrypts the tournament profile integration alarm topic',
        enableKeyRotation: true,
      });
      key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
      Validations.of(key).acknowledge({
        id: 'cdk-validator-cfnguard::kms_create_grant_aws_service_check',
        reason:
          "The key policy is CDK's default (the account administers the key through IAM) plus kms:Decrypt and kms:GenerateDataKey* for CloudWatch; it grants kms:CreateGrant to no service or outside principal.",
      });
      const topic = new Topic(this, 'AlarmTopic', { masterKey: key, enforceSSL: true });
      const subscription = new Subscription(this, 'AlarmEmail', {
        topic,
        protocol: SubscriptionProtocol.EMAIL,
        endpoint: props.alarmEmail,
      });
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'An e-mail that cannot be delivered loses no alarm: the state stays in CloudWatch and on the dashboard, and the rollback acts on the alarm itself, not on the notification.',
      });
      return topic;
    }
    return undefined;
  }
}
