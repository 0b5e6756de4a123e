import { Duration } from 'aws-cdk-lib';
import type { HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { type Alarm, ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';

/** Share of server errors (5xx) of the read API that pages, in percent. */
export const READ_API_5XX_PERCENT = 5;
/** Requests a minute must have before its share of 5xx counts (one error of two is no outage). */
export const READ_API_MIN_REQUESTS = 5;
/** 90th percentile of the read API's latency that pages, in ms. */
export const READ_API_LATENCY_P90_MS = 2500;

/**
 * The read API's own alarms, children of `scope`: more than 5% of requests failing with a 5xx for
 * 3 minutes in a row, and p90 latency above 2.5 s for 5 minutes in a row. Sustained on purpose: one
 * failing request or a cold start does not page (a read is a GetItem or a Query: tens of ms). The
 * metrics are the ones CloudWatch's recommended alarms watch for API Gateway
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Best_Practice_Recommended_Alarms_AWS_Services.html);
 * API Gateway publishes percentiles of `Latency`. They page; a read path has nothing to do with
 * the rollout's stop conditions.
 */
export function addReadApiAlarms(scope: Construct, stage: HttpStage): Alarm[] {
  const minute = Duration.minutes(1);
  const serverErrors = new MathExpression({
    expression: `IF(FILL(requests, 0) >= ${READ_API_MIN_REQUESTS}, 100 * FILL(errors, 0) / requests, 0)`,
    usingMetrics: {
      errors: stage.metricServerError({ statistic: 'Sum', period: minute }),
      requests: stage.metricCount({ statistic: 'Sum', period: minute }),
    },
    period: minute,
    label: 'Read API 5xx (% of requests)',
  }).createAlarm(scope, 'ServerErrors', {
    alarmDescription: `More than ${READ_API_5XX_PERCENT}% of the read API's requests failed with a 5xx for 3 minutes in a row. Read the read function's errors and the stage's access log (integrationError); DynamoDB throttles and timeouts show there.`,
    threshold: READ_API_5XX_PERCENT,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  const latency = stage.metricLatency({ statistic: 'p90', period: minute }).createAlarm(scope, 'Latency', {
    alarmDescription: `The read API's p90 latency was above ${READ_API_LATENCY_P90_MS} ms for 5 minutes in a row. Compare the stage's integrationLatencyMs with latencyMs in the access log: the read function (its duration, cold starts) or API Gateway.`,
    threshold: READ_API_LATENCY_P90_MS,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 5,
    datapointsToAlarm: 5,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  return [serverErrors, latency];
}
