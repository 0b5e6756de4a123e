import { alarmMetrics, refersTo } from '../alarm-metrics.ts';
import type { CheckRule } from '../check-rule.ts';
import { knownValue } from '../deployed-string.ts';
import type { StackTemplate, TemplateResource } from '../stack-template.ts';

/**
 * Every SQS queue of the stack is read by at least one alarm of the stack: a metric (of the alarm
 * itself or of a metric-math alarm) in `AWS/SQS` whose `QueueName` dimension is that queue. SQS
 * publishes its metrics per queue under that one dimension (Available CloudWatch metrics for Amazon
 * SQS, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html);
 * a queue nobody alarms on holds failures or work that nobody sees.
 */
export const queueAlarmed: CheckRule = {
  id: 'QueueAlarmed',
  resourceType: 'AWS::SQS::Queue',
  explanation:
    'A queue without an alarm on its AWS/SQS metrics (dimension QueueName) fills silently: dead letters and stuck work go unnoticed (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html).',
  check(queue, template) {
    if (alarmsOnQueue(queue, template).length > 0) return [];
    return [
      {
        message: `No alarm of the stack reads this queue's AWS/SQS metrics (dimension QueueName): messages can wait here unseen. Alarm on ApproximateNumberOfMessagesVisible (Maximum > 0 for a dead-letter queue) or ApproximateAgeOfOldestMessage for a work queue, and say in the alarm description how to drain it.`,
      },
    ];
  },
};

/** The alarms of the stack that read one of the queue's `AWS/SQS` metrics. */
export function alarmsOnQueue(queue: TemplateResource, template: StackTemplate): TemplateResource[] {
  const literalName = knownValue(queue.properties.QueueName, template);
  return [...template.resources.values()].filter((alarm) =>
    alarmMetrics(alarm).some((metric) => {
      if (knownValue(metric.namespace, template) !== 'AWS/SQS') return false;
      const name = metric.dimensions.get('QueueName');
      if (refersTo(name, queue.logicalId, ['QueueName'])) return true;
      return literalName !== undefined && knownValue(name, template) === literalName;
    }),
  );
}
