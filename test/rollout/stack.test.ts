import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALARM_STATE_CHANGE, PARAMETER_STORE_CHANGE } from '../../infra/constructs/rollout.ts';
import { STACK_OUTPUTS } from '../../infra/output-keys.ts';
import { ROLLOUT_ENVIRONMENT } from '../../lambda/rollout/constants.ts';
import { resourcesOf, SYNTH_TIMEOUT_MS, type Synthesized, synthesize } from '../infra/synth.ts';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let s: Synthesized;
const resolve = (value: unknown) => Stack.of(s.stack).resolve(value);

/** Every statement of the policies attached to `role` (logical id). */
function statementsOf(roleId: string): Statement[] {
  return Object.values(resourcesOf(s.template, 'AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`))
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const actions = (statement: Statement) => [statement.Action].flat();

beforeAll(() => {
  s = synthesize();
}, SYNTH_TIMEOUT_MS);

describe('progressive rollout in the stack', () => {
  it('has one state machine, named by an output, that logs all events and is traced', () => {
    const machines = Object.values(resourcesOf(s.template, 'AWS::StepFunctions::StateMachine'));
    expect(machines).toHaveLength(1);
    expect(machines[0]?.Properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(machines[0]?.Properties.LoggingConfiguration).toMatchObject({ Level: 'ALL' });
    expect(s.template.toJSON().Outputs[STACK_OUTPUTS.rolloutStateMachineArn].Value).toEqual(
      resolve(s.stack.rollout.stateMachine.stateMachineArn),
    );
  });

  it("gives the step function only this flag, its saved value and the rollout state, the alarms' states and this machine's executions", () => {
    const rollout = s.stack.rollout;
    const statements = statementsOf(s.logicalId(rollout.stepFunction.role));
    const byAction = (action: string) => statements.filter((st) => actions(st).includes(action));

    const ssm = statements.filter((st) => actions(st).some((a) => a.startsWith('ssm:')));
    expect(ssm.flatMap(actions).sort()).toEqual(['ssm:GetParameter', 'ssm:PutParameter']);
    const sorted = (values: unknown[]) => values.map((v) => JSON.stringify(v)).sort();
    expect(sorted(ssm.flatMap((st) => [st.Resource].flat()))).toEqual(
      sorted([
        resolve(s.stack.flag.parameterArn),
        resolve(rollout.previousParameter.parameterArn),
        resolve(rollout.stateParameter.parameterArn),
      ]),
    );

    // AWS documents that DescribeAlarms returns composite alarms only when allowed on "*".
    const describe = byAction('cloudwatch:DescribeAlarms');
    expect(describe).toHaveLength(1);
    expect(describe[0]?.Resource).toBe('*');
    expect(actions(describe[0] as Statement).sort()).toEqual([
      'cloudwatch:DescribeAlarms',
      'cloudwatch:GetMetricData',
    ]);

    const list = byAction('states:ListExecutions');
    expect(list).toHaveLength(1);
    expect(JSON.stringify(list[0]?.Resource)).toContain(':stateMachine:');
    expect(JSON.stringify(list[0]?.Resource)).toContain('-Rollout');

    const allowed = new Set([
      'ssm:GetParameter',
      'ssm:PutParameter',
      'cloudwatch:DescribeAlarms',
      'cloudwatch:GetMetricData',
      'states:ListExecutions',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
    ]);
    for (const action of statements.flatMap(actions)) expect(allowed).toContain(action);
    for (const st of statements.filter(
      (x) => !actions(x).some((a) => a.startsWith('xray:') || a.startsWith('cloudwatch:')),
    ))
      expect(st.Resource).not.toEqual('*');
  });

  it('the machine itself may only invoke the step function', () => {
    const statements = statementsOf(s.logicalId(s.stack.rollout.stateMachine.role));
    const invoke = statements.filter((st) => actions(st).includes('lambda:InvokeFunction'));
    const fnArn = resolve(s.stack.rollout.stepFunction.function.functionArn);
    for (const st of invoke)
      for (const resource of [st.Resource].flat())
        expect(JSON.stringify(resource)).toContain(JSON.stringify(fnArn).slice(1, -1));
  });

  it('routes exactly the stop-condition alarms going into ALARM to the rollback function', () => {
    const rollout = s.stack.rollout;
    const rule = resourcesOf(s.template, 'AWS::Events::Rule')[s.logicalId(rollout.alarmRule)];
    // One name, the top-level composite, however many alarms the four conditions have.
    expect(rule?.Properties.EventPattern).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': [ALARM_STATE_CHANGE],
      detail: {
        alarmName: ['TournamentProfileIntegration-StopConditions'],
        state: { value: ['ALARM'] },
      },
    });
    expect(rule?.Metadata).toMatchObject({ 'tpi:rollback-trigger': true });
    expect(JSON.stringify(rule?.Properties.EventPattern).length).toBeLessThan(2048);
    const targets = rule?.Properties.Targets as { Arn: unknown }[];
    expect(targets.map((t) => t.Arn)).toEqual([resolve(rollout.rollbackFunction.function.functionArn)]);
    const rollbackActions = statementsOf(s.logicalId(rollout.rollbackFunction.role)).flatMap(actions);
    expect(rollbackActions.filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:')).sort()).toEqual([
      // Whether a stop condition is in ALARM: the composite's children.
      'cloudwatch:DescribeAlarms',
      // The on-failure destination: the rollback failure queue.
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
      'ssm:GetParameter',
      // Whether a flag change raised it, who made it, and whether it was forced.
      'ssm:GetParameterHistory',
      'ssm:PutParameter',
    ]);
  });

  it('sends every creation or change of the flag to the rollback function', () => {
    const rollout = s.stack.rollout;
    s.hasProperties(rollout.flagChangeRule, 'AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ssm'],
        'detail-type': [PARAMETER_STORE_CHANGE],
        detail: { name: ['/tournament-profile/integration-enabled'], operation: ['Create', 'Update'] },
      },
      Targets: [{ Arn: resolve(rollout.rollbackFunction.function.functionArn) }],
    });
  });

  it('tells both functions the composite alarm, the flag and the rollout state by name, nothing longer', () => {
    const env = ROLLOUT_ENVIRONMENT;
    for (const fn of [s.stack.rollout.stepFunction, s.stack.rollout.rollbackFunction]) {
      s.hasProperties(fn.function, 'AWS::Lambda::Function', {
        Environment: {
          Variables: {
            [env.stopConditionsAlarmName]: 'TournamentProfileIntegration-StopConditions',
            [env.flagParameterName]: '/tournament-profile/integration-enabled',
            [env.rolloutStateParameterName]: '/tournament-profile/integration-enabled/rollout-state',
            [env.auditAlarmName]: 'TournamentProfileIntegration-AuditNotRunning',
            STOP_CONDITION_ALARMS: Match.absent(),
            ROLLBACK_ALARMS: Match.absent(),
          },
        },
      });
    }
  });

  it('publishes each rollback to the alarm topic when an alarm email is configured', {
    timeout: SYNTH_TIMEOUT_MS,
  }, () => {
    const withTopic = synthesize({ alarmEmail: 'ops@example.com' });
    const configs = Object.values(resourcesOf(withTopic.template, 'AWS::Lambda::EventInvokeConfig'));
    const onSuccess = configs
      .map(
        (c) =>
          (c.Properties.DestinationConfig as { OnSuccess?: { Destination: unknown } } | undefined)?.OnSuccess,
      )
      .filter(Boolean);
    expect(onSuccess).toHaveLength(1);
    expect(JSON.stringify(onSuccess[0])).toContain('AlarmTopic');
  });
});
