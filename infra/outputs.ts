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
  deliveryDeadLetterQueueUrl: 'DeliveryDeadLetterQueueUrl',
  recordingFailureQueueUrl: 'RecordingFailureQueueUrl',
  statsFailureQueueUrl: 'StatsFailureQueueUrl',
  dashboardUrl: 'DashboardUrl',
  rolloutStateMachineArn: 'RolloutStateMachineArn',
  profileApiUrl: 'ProfileApiUrl',
  profileReadPolicyArn: 'ProfileReadPolicyArn',
} as const;

/** One of the stack's output keys. */
export type StackOutputKey = (typeof STACK_OUTPUTS)[keyof typeof STACK_OUTPUTS];
