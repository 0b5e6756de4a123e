/**
 * CloudFormation output keys of the integration stack. The operator CLI and the smoke test find a
 * deployed stack through these, so they are declared once and used by both sides.
 */
export const STACK_OUTPUTS = {
  eventBusName: 'EventBusName',
  eventBusArn: 'EventBusArn',
  eventSource: 'EventSource',
  archiveName: 'ArchiveName',
  activityTableName: 'ActivityTableName',
  statsTableName: 'StatsTableName',
  deadLetterTableName: 'DeadLetterTableName',
  flagParameterName: 'FlagParameterName',
  erasureSettleSeconds: 'ErasureSettleSeconds',
  erasureOperatorPolicyArn: 'ErasureOperatorPolicyArn',
  eraseApiPolicyArn: 'EraseApiPolicyArn',
  erasureDeadLetterQueueUrl: 'ErasureDeadLetterQueueUrl',
  deliveryDeadLetterQueueUrl: 'DeliveryDeadLetterQueueUrl',
  recordingFailureQueueUrl: 'RecordingFailureQueueUrl',
  statsFailureQueueUrl: 'StatsFailureQueueUrl',
  dashboardUrl: 'DashboardUrl',
  rolloutStateMachineArn: 'RolloutStateMachineArn',
  stopConditionsAlarmName: 'StopConditionsAlarmName',
  metricsNamespace: 'MetricsNamespace',
  metricsService: 'MetricsService',
  profileApiUrl: 'ProfileApiUrl',
  profileReadPolicyArn: 'ProfileReadPolicyArn',
} as const;

/** One of the stack's output keys. */
export type StackOutputKey = (typeof STACK_OUTPUTS)[keyof typeof STACK_OUTPUTS];

/**
 * Seconds an erasure waits between writing its record and deleting: every function's cached set
 * of erased users is at most `cacheSeconds` old, and an invocation that began with an older set
 * writes for at most its own duration. After that nothing in flight can write for the user.
 */
export function erasureSettleSeconds(cacheSeconds: number, invocationSeconds: number): number {
  return cacheSeconds + invocationSeconds + 1;
}
