import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  MAX_TURNS_PER_EXECUTION,
  MAX_WAIT_SLICE_SECONDS,
  NOT_ARMED,
  rolloutExecutionTimeoutSeconds,
  rolloutStateParameterName,
  TURN_TASK_BUDGET_SECONDS,
} from '../../lambda/rollout/constants.ts';
import { resourcesOf, synthesizeForSuite } from './synth.ts';

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:oncall';
const s = synthesizeForSuite({ alarmTopicArn: TOPIC });

describe('the rollback path cannot fail silently', () => {
  it('gives the alarm rule target a dead-letter queue and the rollback function an on-failure queue', () => {
    const rollout = s.stack.rollout;
    s.hasProperties(rollout.alarmRule, 'AWS::Events::Rule', {
      Targets: [
        { DeadLetterConfig: { Arn: { 'Fn::GetAtt': [s.logicalId(rollout.rollbackDeadLetters), 'Arn'] } } },
      ],
    });
    s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: s.logicalId(rollout.rollbackFunction.function) },
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [s.logicalId(rollout.rollbackFailures), 'Arn'] } },
      },
    });
  });

  it('gives the flag-change rule target the same retries and dead-letter queue', () => {
    const rollout = s.stack.rollout;
    s.hasProperties(rollout.flagChangeRule, 'AWS::Events::Rule', {
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [s.logicalId(rollout.rollbackFunction.function), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 20, MaximumEventAgeInSeconds: 7200 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [s.logicalId(rollout.rollbackDeadLetters), 'Arn'] } },
        },
      ],
    });
  });

  it("alarms on the rules' failed invocations and the rollback function's throttles, event age and lost outcomes", () => {
    const rollout = s.stack.rollout;
    const byId = resourcesOf(s.template, 'AWS::CloudWatch::Alarm');
    const props = (prefix: string) =>
      Object.entries(byId).find(([logicalId]) => logicalId.startsWith(`Rollout${prefix}`))?.[1].Properties;
    expect(props('RollbackThrottles')).toMatchObject({ MetricName: 'Throttles', Threshold: 0 });
    expect(props('RollbackAsyncEventAge')).toMatchObject({
      MetricName: 'AsyncEventAge',
      Statistic: 'Maximum',
    });
    expect(props('RollbackDestinationDeliveryFailures')).toMatchObject({
      MetricName: 'DestinationDeliveryFailures',
    });
    for (const [prefix, rule] of [
      ['RollbackRuleFailedInvocations', rollout.alarmRule],
      ['RollbackRule2FailedInvocations', rollout.flagChangeRule],
    ] as const)
      expect(props(prefix), prefix).toMatchObject({
        Namespace: 'AWS/Events',
        MetricName: 'FailedInvocations',
        Dimensions: [{ Name: 'RuleName', Value: { Ref: s.logicalId(rule) } }],
        Threshold: 0,
        AlarmActions: [TOPIC],
      });
  });

  it('reserves concurrency for the rollback function', () => {
    s.hasProperties(s.stack.rollout.rollbackFunction.function, 'AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 2,
    });
  });

  it("alarms on the rollback function's errors, its two queues and failed or timed-out rollouts, to the topic", () => {
    for (const [id, metric] of [
      ['RollbackErrors', 'Errors'],
      ['RollbackDeadLettersMessages', 'ApproximateNumberOfMessagesVisible'],
      ['RollbackFailuresMessages', 'ApproximateNumberOfMessagesVisible'],
      ['RolloutExecutionsFailed', 'ExecutionsFailed'],
      ['RolloutExecutionsTimedOut', 'ExecutionsTimedOut'],
    ] as const) {
      const alarms = s.template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { MetricName: metric, Threshold: 0, AlarmActions: [TOPIC] },
      });
      expect(
        Object.keys(alarms).filter((logicalId) => logicalId.startsWith(`Rollout${id}`)),
        id,
      ).toHaveLength(1);
    }
  });

  it('caps the recording function only when asked', () => {
    s.hasProperties(s.stack.recordingFunction.function, 'AWS::Lambda::Function', {
      ReservedConcurrentExecutions: Match.absent(),
    });
  });
});

describe('deploy traps', () => {
  it('logs the state machine under /aws/vendedlogs/states/, named per stack instance', () => {
    const groups = Object.values(resourcesOf(s.template, 'AWS::Logs::LogGroup'));
    const names = groups.map((g) => JSON.stringify(g.Properties.LogGroupName ?? null));
    const machineLogs = names.filter((n) => n.includes('/aws/vendedlogs/states/'));
    expect(machineLogs).toHaveLength(1);
    expect(machineLogs[0]).toContain('AWS::StackId');
  });

  it('continues a long rollout as a new execution of itself instead of growing one history', () => {
    const [machine] = Object.values(resourcesOf(s.template, 'AWS::StepFunctions::StateMachine'));
    const definition = JSON.stringify(machine?.Properties.DefinitionString);
    expect(definition).toContain('ContinueAsNew');
    expect(definition).toContain(':states:::aws-sdk:sfn:startExecution');
    expect(definition).toContain('$.continueAsNew');
  });

  it('times a rollout execution out after its turn budget, and never waits longer than the capped slice', () => {
    const [machine] = Object.values(resourcesOf(s.template, 'AWS::StepFunctions::StateMachine'));
    const definition = JSON.stringify(machine?.Properties.DefinitionString);
    expect(definition).toContain(`\\"TimeoutSeconds\\":${rolloutExecutionTimeoutSeconds()}`);
    expect(definition).toContain(`\\"Seconds\\":${MAX_WAIT_SLICE_SECONDS}`);
    expect(rolloutExecutionTimeoutSeconds()).toBe(
      MAX_TURNS_PER_EXECUTION * (MAX_WAIT_SLICE_SECONDS + TURN_TASK_BUDGET_SECONDS) + 86_400,
    );
    // Well under a standard workflow's year: a stuck execution is seen within weeks.
    expect(rolloutExecutionTimeoutSeconds()).toBeLessThan(365 * 86_400);
  });

  it('creates the rollout state like the flag: only when absent, not armed', () => {
    s.template.hasResourceProperties('Custom::FlagParameter', {
      Create: Match.serializedJson(
        Match.objectLike({
          parameters: Match.objectLike({
            Name: rolloutStateParameterName(s.stack.flag.parameterName),
            Value: JSON.stringify(NOT_ARMED),
            Overwrite: false,
          }),
        }),
      ),
    });
  });

  it('creates the saved flag value like the flag: only when absent', () => {
    s.template.hasResourceProperties('Custom::FlagParameter', {
      Create: Match.serializedJson(
        Match.objectLike({
          parameters: Match.objectLike({
            Name: Match.stringLikeRegexp('/previous$'),
            Value: 'none',
            Overwrite: false,
          }),
        }),
      ),
    });
    s.template.resourceCountIs('AWS::SSM::Parameter', 0);
  });
});
