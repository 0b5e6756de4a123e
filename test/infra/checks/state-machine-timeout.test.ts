import { Duration, type Stack } from 'aws-cdk-lib';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { DefinitionBody, Pass, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { describe, expect, it } from 'vitest';
import { findingsOf, ofRule } from './support.ts';

/**
 * A machine whose definition refers to a function, so CloudFormation gets it as `Fn::Join` tokens
 * (as the rollout machine's), with an alarm on ExecutionsTimedOut when `alarmed`.
 */
function machine(stack: Stack, options: { timeout?: Duration; alarmed: boolean }): StateMachine {
  const step = new LambdaFunction(stack, 'Step', {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => ({});'),
  });
  const sm = new StateMachine(stack, 'Rollout', {
    definitionBody: DefinitionBody.fromChainable(
      new LambdaInvoke(stack, 'Check', { lambdaFunction: step }).next(new Pass(stack, 'Done')),
    ),
    ...(options.timeout ? { timeout: options.timeout } : {}),
  });
  if (options.alarmed)
    sm.metricTimedOut({ statistic: 'Sum' }).createAlarm(stack, 'TimedOut', {
      threshold: 0,
      evaluationPeriods: 1,
    });
  return sm;
}

const timeoutFindings = (options: { timeout?: Duration; alarmed: boolean }) =>
  ofRule(
    findingsOf((stack) => machine(stack, options)),
    'StateMachineTimeout',
  );

describe('TpiLimits-StateMachineTimeout', () => {
  it('finds an alarm on ExecutionsTimedOut of a machine whose definition has no TimeoutSeconds', () => {
    const found = timeoutFindings({ alarmed: true });

    expect(found.map((f) => [f.rule, f.path])).toEqual([
      ['TpiLimits-StateMachineTimeout', 'Checks/Rollout/Resource'],
    ]);
    expect(found[0]?.message).toMatch(/TimedOut.*no top-level TimeoutSeconds.*can run for a year/);
  });

  it('passes the machine once its Fn::Join definition has a top-level TimeoutSeconds', () => {
    expect(timeoutFindings({ alarmed: true, timeout: Duration.days(9) })).toEqual([]);
  });

  it('passes a machine without a timeout that no alarm watches for timeouts', () => {
    expect(timeoutFindings({ alarmed: false })).toEqual([]);
  });
});
