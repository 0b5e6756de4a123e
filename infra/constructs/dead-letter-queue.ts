import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Properties of {@link DeadLetterQueue}. */
export interface DeadLetterQueueProps {
  /** What ends up here, for the console and the nag report. */
  readonly purpose: string;
  /** Keep the queue and its messages when the stack is deleted (every stage but an ephemeral one). */
  readonly retain: boolean;
  /** A FIFO queue, as the dead-letter queue of a FIFO queue must be. @default false */
  readonly fifo?: boolean;
}

/**
 * A queue where messages the integration could not handle wait for an operator: SQS-managed
 * encryption (EventBridge and Lambda can write to it without a key policy), TLS only, and the
 * longest retention SQS allows, so a weekend outage is still there on Monday.
 */
export class DeadLetterQueue extends Construct {
  readonly queue: Queue;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.queue = new Queue(this, 'Queue', {
      ...(props.fifo ? { fifo: true } : {}),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const terminal = `This queue is itself the terminal dead-letter store (${props.purpose}); a dead-letter queue of a dead-letter queue would only move the same messages. An alarm fires on any visible message.`;
    Validations.of(this.queue).acknowledge(
      { id: 'AwsSolutions-SQS3', reason: terminal },
      { id: 'Serverless-SQSRedrivePolicy', reason: terminal },
      { id: 'cdk-validator-cfnguard::sqs_dlq_check', reason: terminal },
    );
  }
}
