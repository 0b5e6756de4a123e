/**
 * Which statistics return data, per metric namespace the stack's alarms use.
 *
 * CloudWatch computes SampleCount, Sum, Average, Minimum and Maximum for every metric (CloudWatch
 * statistics definitions, https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html).
 * Percentiles and the other extended statistics (trimmed mean `tm`/`TM()`, `wm`, `tc`, `ts`, `PR()`,
 * `IQM`) need the raw values: "CloudWatch needs raw data points to calculate percentiles. If you
 * publish data using a statistic set instead, you can only retrieve percentile statistics for this
 * data if one of the following conditions is true" (Percentiles,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Percentiles),
 * and the same page lists the services whose metrics support them: "API Gateway, Application Load
 * Balancer, Amazon EC2, Elastic Load Balancing, Kinesis, Lambda, Amazon RDS". An alarm on a
 * statistic its metric does not have receives no data and never fires.
 */
export interface NamespaceStatistics {
  /** Metrics of the namespace that support extended statistics: `'all'`, or their names. */
  readonly extended: 'all' | readonly string[];
  /** The page that lists the namespace's metrics and their statistics. */
  readonly documentation: string;
  /** The sentence of that page the row relies on. */
  readonly evidence: string;
}

/** The statistics CloudWatch computes for any metric. */
export const BASIC_STATISTICS: ReadonlySet<string> = new Set([
  'SampleCount',
  'Sum',
  'Average',
  'Minimum',
  'Maximum',
]);

/** One row per AWS namespace the stack alarms on; add a row (with its page) before alarming on another. */
export const NAMESPACE_STATISTICS: Readonly<Record<string, NamespaceStatistics>> = {
  'AWS/DynamoDB': {
    extended: [],
    documentation: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html',
    evidence:
      '"SuccessfulRequestLatency can provide two different kinds of information: The elapsed time for successful requests (Minimum, Maximum, Sum, or Average). The number of successful requests (SampleCount)."; every metric lists its valid statistics, none a percentile.',
  },
  'AWS/Lambda': {
    extended: ['Duration'],
    documentation: 'https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html',
    evidence:
      '"Duration also supports percentile statistics"; invocation metrics are to be viewed "with the Sum statistic".',
  },
  'AWS/SQS': {
    extended: [],
    documentation:
      'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html',
    evidence:
      'Each metric\'s "Valid Statistics: Average, Minimum, Maximum, Sum, Data Samples (displays as Sample Count in the Amazon SQS console)"; SQS is not among the services with percentile metrics.',
  },
  'AWS/Events': {
    extended: [],
    documentation: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html',
    evidence:
      '"For the metrics that use Count as a unit, Sum and SampleCount tend to be the most useful statistics."; EventBridge is not among the services with percentile metrics.',
  },
  'AWS/States': {
    extended: [],
    documentation: 'https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html',
    evidence:
      'Count metrics such as ExecutionsTimedOut ("The number of executions that time out for any reason") are read with sum, time metrics with average; Step Functions is not among the services with percentile metrics.',
  },
  'AWS/ApiGateway': {
    extended: ['Latency', 'IntegrationLatency'],
    documentation: 'https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html',
    evidence:
      'API Gateway is among the services whose metrics support percentiles; its latency metrics (Latency, IntegrationLatency) are the ones a percentile describes.',
  },
};

/**
 * Custom namespaces (the project's Powertools metrics, the publisher's) support every statistic:
 * "Percentile statistics are available for custom metrics as long as you publish the raw,
 * unsummarized data points for your custom metric", which the embedded metric format does.
 */
export const CUSTOM_NAMESPACE_STATISTICS: NamespaceStatistics = {
  extended: 'all',
  documentation:
    'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Percentiles',
  evidence:
    '"Percentile statistics are available for custom metrics as long as you publish the raw, unsummarized data points for your custom metric."',
};

/** The statistics row of a namespace: AWS namespaces from the table, others custom; undefined when unlisted. */
export function statisticsOf(namespace: string): NamespaceStatistics | undefined {
  return namespace.startsWith('AWS/') ? NAMESPACE_STATISTICS[namespace] : CUSTOM_NAMESPACE_STATISTICS;
}

/** Whether `statistic` of `metricName` returns data in a namespace with these statistics. */
export function returnsData(row: NamespaceStatistics, metricName: string, statistic: string): boolean {
  if (BASIC_STATISTICS.has(statistic)) return true;
  return row.extended === 'all' || row.extended.includes(metricName);
}
