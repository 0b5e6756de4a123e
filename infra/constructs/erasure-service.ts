import { type CfnElement, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { type HttpApi, HttpMethod, type HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { type Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IManagedPolicy, ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ROUTES } from '../../lambda/read-api/constants.ts';
import { TABLE_NAME_VARIABLES } from '../../lambda/shared/tables.ts';
import { onAnyOccurrence } from './alarm-metrics.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import { type FunctionDefaults, IntegrationFunction } from './integration-function.ts';

/** Longest run of the erasure worker; a longer erasure is resumed by the next delivery. */
export const ERASURE_WORKER_TIMEOUT = Duration.minutes(15);
/** Deliveries of one request before it waits in the dead-letter queue. */
export const ERASURE_MAX_RECEIVES = 5;
/**
 * A request waiting this long pages: an erasure takes the settle time and seconds of deletes, so an
 * hour means runs failed (each retry waits the 90-minute visibility timeout) or the worker is not
 * running. The regulation's clock is running: someone must look.
 */
export const ERASURE_REQUEST_MAX_AGE = Duration.hours(1);

/** The erase route, as declared. */
const ERASE_ROUTE = ROUTES.find((route) => route.operationId === 'eraseUser') as (typeof ROUTES)[number];

/** Properties of {@link ErasureService}. */
export interface ErasureServiceProps {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly activities: ITable;
  readonly stats: ITable;
  readonly deadLetters: ITable;
  /** Exactly what an erasure reads and deletes (the operators' erasure policy). */
  readonly erasurePolicy: IManagedPolicy;
  /** Seconds between writing the erasure record and deleting (ErasureSettleSeconds). */
  readonly settleSeconds: number;
  readonly defaults: FunctionDefaults;
}

/**
 * `DELETE /users/{userId}` on the read API, IAM only. An erasure waits longer than API Gateway's
 * 30-second integration timeout before it deletes, so the route's function only reads the record
 * and queues the request (202; 200 once done); a worker fed by a FIFO queue runs it, one run per
 * user at a time, resumed by SQS's redelivery when a run stops. `invokePolicy` lets a role call it.
 */
export class ErasureService extends Construct {
  readonly requests: Queue;
  readonly deadLetters: DeadLetterQueue;
  readonly requestFunction: IntegrationFunction;
  readonly worker: IntegrationFunction;
  /** `execute-api:Invoke` on the erase route alone (the read policy does not include it). */
  readonly invokePolicy: ManagedPolicy;
  /** A request waiting too long, and any request given up on: both page. */
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: ErasureServiceProps) {
    super(scope, id);
    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', {
      purpose: 'erasure requests that failed every delivery: run tpi erase USER to finish them',
      retain: props.defaults.retainData,
      fifo: true,
    });
    this.requests = new Queue(this, 'Requests', {
      fifo: true,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Lambda's guidance for SQS sources: at least six times the function timeout.
      visibilityTimeout: Duration.seconds(ERASURE_WORKER_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.deadLetters.queue, maxReceiveCount: ERASURE_MAX_RECEIVES },
      // Pending erasures of data that outlives the stack must outlive it too.
      removalPolicy: props.defaults.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.worker = this.addWorker(props);
    this.requestFunction = this.addRequestFunction(props);
    this.invokePolicy = this.addInvokePolicy(props);
    this.alarms = this.addAlarms();
  }

  /** The request queue's oldest message and the dead-letter queue's first one page. */
  private addAlarms(): Alarm[] {
    return [
      this.requests
        .metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: Duration.minutes(5) })
        .createAlarm(this, 'RequestsAge', {
          alarmDescription: `An erasure request has waited more than ${ERASURE_REQUEST_MAX_AGE.toHumanString()}: the worker failed on it (it is retried after the visibility timeout) or is not running. Read the erasure worker's logs and throttles; \`tpi erase USER --yes\` finishes one by hand.`,
          threshold: ERASURE_REQUEST_MAX_AGE.toSeconds(),
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      this.deadLetters.queue
        .metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(1) })
        .createAlarm(
          this,
          'DeadLettersMessages',
          onAnyOccurrence(
            `An erasure request failed all ${ERASURE_MAX_RECEIVES} deliveries and waits in the erasure dead-letter queue: the user is not erased yet. Run \`tpi erase USER --yes\` for the user in the message, read the worker's logs, then delete the message.`,
          ),
        ),
    ];
  }

  /** The worker behind the FIFO queue, with exactly what an erasure reads and deletes. */
  private addWorker(props: ErasureServiceProps): IntegrationFunction {
    const worker = new IntegrationFunction(this, 'Worker', {
      entry: 'lambda/erasure/worker-handler.ts',
      description: 'Runs queued user erasures (DELETE /users/{userId})',
      defaults: props.defaults,
      timeout: ERASURE_WORKER_TIMEOUT,
      memorySize: 256,
      failuresGoTo:
        'it is invoked by an SQS event source mapping: a failed request is delivered again and resumes, then waits in the erasure dead-letter queue; a function DLQ applies only to asynchronous invocations.',
      environment: {
        [TABLE_NAME_VARIABLES.activities]: props.activities.tableName,
        [TABLE_NAME_VARIABLES.stats]: props.stats.tableName,
        [TABLE_NAME_VARIABLES.deadLetters]: props.deadLetters.tableName,
        ERASURE_SETTLE_SECONDS: String(props.settleSeconds),
      },
    });
    worker.role.addManagedPolicy(props.erasurePolicy);
    const source = new SqsEventSource(this.requests, { batchSize: 1, reportBatchItemFailures: true });
    worker.function.addEventSource(source);
    for (const mapping of worker.node.findAll().filter((c) => c.node.id.startsWith('SqsEventSource')))
      Validations.of(mapping).acknowledge({
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          'An SQS event source mapping has no on-failure destination; the queue redrive policy moves a request that failed every delivery to the erasure dead-letter queue.',
      });
    return worker;
  }

  /** The route's function: reads the erasure record and queues the request; the IAM-only route. */
  private addRequestFunction(props: ErasureServiceProps): IntegrationFunction {
    const requestFunction = new IntegrationFunction(this, 'Request', {
      entry: 'lambda/erasure/request-handler.ts',
      description: 'DELETE /users/{userId}: reads the erasure record, queues the erasure',
      defaults: props.defaults,
      timeout: Duration.seconds(10),
      memorySize: 256,
      failuresGoTo:
        'nowhere to keep: API Gateway invokes it synchronously and the caller gets the error response (5xx) to retry',
      environment: {
        [TABLE_NAME_VARIABLES.stats]: props.stats.tableName,
        ERASURE_QUEUE_URL: this.requests.queueUrl,
      },
    });
    requestFunction.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadErasureRecord',
        actions: ['dynamodb:GetItem'],
        resources: [props.stats.tableArn],
      }),
    );
    this.requests.grantSendMessages(requestFunction.function);

    const integration = new HttpLambdaIntegration('EraseRequest', requestFunction.function);
    props.api.addRoutes({
      path: ERASE_ROUTE.path,
      methods: [HttpMethod.DELETE],
      integration,
      authorizer: new HttpIamAuthorizer(),
    });
    for (const permission of props.api.node.findAll().filter((c) => c.node.id === 'EraseRequest-Permission'))
      Validations.of(permission).acknowledge({
        id: 'cdk-validator-cfnguard::lambda_function_public_access_prohibited_check',
        reason:
          'The principal is apigateway.amazonaws.com with SourceArn set to this API: only its IAM-authorized DELETE route invokes the function.',
      });
    return requestFunction;
  }

  /** `execute-api:Invoke` on the erase route alone. */
  private addInvokePolicy(props: ErasureServiceProps): ManagedPolicy {
    const resource = `${props.stage.stageName}/DELETE${ERASE_ROUTE.path.replace(/\{[^}]+\}/g, '*')}`;
    const invokePolicy = new ManagedPolicy(this, 'InvokePolicy', {
      description: 'Lets a role erase users through the read API (DELETE /users/{userId})',
      statements: [
        new PolicyStatement({
          sid: 'InvokeEraseRoute',
          actions: ['execute-api:Invoke'],
          resources: [
            Stack.of(this).formatArn({
              service: 'execute-api',
              resource: props.api.apiId,
              resourceName: resource,
            }),
          ],
        }),
      ],
    });
    // cdk-nag names a finding by the ARN as synthesized: pseudo parameters it cannot resolve appear
    // as <AWS::...>, known ones (a region from the environment) as their value.
    const stack = Stack.of(this);
    const shown = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
    const arnPrefix = `arn:${shown(stack.partition, 'Partition')}:execute-api:${shown(stack.region, 'Region')}:${shown(stack.account, 'AccountId')}`;
    const apiLogicalId = stack.getLogicalId(props.api.node.defaultChild as CfnElement);
    Validations.of(invokePolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${arnPrefix}:<${apiLogicalId}>/${resource}]`,
      reason: 'The erase route alone; the wildcard stands for its {userId} path parameter.',
    });
    return invokePolicy;
  }
}
