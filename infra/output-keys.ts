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
  auditAlarmName: 'AuditAlarmName',
  metricsNamespace: 'MetricsNamespace',
  metricsService: 'MetricsService',
  profileApiUrl: 'ProfileApiUrl',
  profileReadPolicyArn: 'ProfileReadPolicyArn',
} as const;
