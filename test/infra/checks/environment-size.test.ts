import { Fn, type Stack } from 'aws-cdk-lib';
import { Alarm, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_MAX_BYTES } from '../../../infra/checks/rules/environment-size.ts';
import { findingsOf, ofRule } from './support.ts';

function fn(stack: Stack, environment: Record<string, string>): LambdaFunction {
  return new LambdaFunction(stack, 'Fn', {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => {};'),
    environment,
  });
}

/** `count` unnamed alarms' names joined with commas, as STOP_CONDITION_ALARMS is today. */
function alarmNames(stack: Stack, count: number): string {
  const names = Array.from(
    { length: count },
    (_, i) =>
      new Alarm(stack, `StopConditionsDeadLettersTableThrottledRequests${i}`, {
        metric: new Metric({ namespace: 'Test', metricName: 'M' }),
        threshold: 0,
        evaluationPeriods: 1,
      }).alarmName,
  );
  return Fn.join(',', names);
}

const sizeIn = (message: string | undefined) => Number(/up to (\d+) bytes/.exec(message ?? '')?.[1]);

describe('TpiLimits-EnvironmentSize', () => {
  it('finds an environment that holds every alarm name once CloudFormation has named the alarms', () => {
    const found = ofRule(
      findingsOf(
        (stack) => fn(stack, { STOP_CONDITION_ALARMS: alarmNames(stack, 40) }),
        'TournamentProfileIntegration-prod',
      ),
      'EnvironmentSize',
    );

    expect(found.map((f) => f.path)).toEqual(['TournamentProfileIntegration-prod/Fn/Resource']);
    expect(sizeIn(found[0]?.message)).toBeGreaterThan(ENVIRONMENT_MAX_BYTES);
    expect(found[0]?.message).toMatch(/Largest: STOP_CONDITION_ALARMS \(\d+ bytes\)/);
  });

  it('passes the same environment with few alarms', () => {
    const found = findingsOf((stack) => fn(stack, { STOP_CONDITION_ALARMS: alarmNames(stack, 3) }));

    expect(ofRule(found, 'EnvironmentSize')).toEqual([]);
  });

  it('measures as Lambda does, the JSON of the variables: 4,000 bytes of keys and values is over', () => {
    // Prepare: 100 variables, 3-byte keys and 37-byte values: 4,000 bytes, 4,601 as JSON.
    const environment = Object.fromEntries(
      Array.from({ length: 100 }, (_, i) => [`K${String(i).padStart(2, '0')}`, 'v'.repeat(37)]),
    );

    // Act
    const found = ofRule(
      findingsOf((stack) => fn(stack, environment)),
      'EnvironmentSize',
    );

    // Assess
    expect(sizeIn(found[0]?.message)).toBe(4_601);
  });

  it('counts a dynamic reference at the length of the secret CloudFormation puts in its place', () => {
    const withSecret = (passwordLength: number) =>
      findingsOf((stack) => {
        const secret = new Secret(stack, 'Key', {
          generateSecretString: { passwordLength, excludePunctuation: true },
        });
        fn(stack, { KEY: secret.secretValue.unsafeUnwrap() });
      });

    expect(ofRule(withSecret(64), 'EnvironmentSize')).toEqual([]);
    expect(sizeIn(ofRule(withSecret(4_096), 'EnvironmentSize')[0]?.message)).toBeGreaterThan(4_096);
  });
});
