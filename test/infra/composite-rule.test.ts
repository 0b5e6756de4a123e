import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import {
  anyInAlarm,
  anyInAlarmLength,
  type CompositeChild,
  generatedNameLength,
  MAX_ALARM_RULE_LENGTH,
  MAX_COMPOSITE_CHILDREN,
  splitChildren,
} from '../../infra/constructs/composite-rule.ts';
import { StopConditionAlarms } from '../../infra/constructs/stop-condition-alarms.ts';
import { STOP_CONDITION_DEFAULTS, stopConditionAlarmDefinitions } from '../../lambda/rollout/constants.ts';
import { signalValue } from '../../lambda/rollout/domain/stop-conditions.ts';

const named = (count: number, length: number): CompositeChild[] =>
  Array.from({ length: count }, (_, i) => {
    const reference = `P${i}-`.padEnd(length, 'x');
    return { reference, maxLength: reference.length };
  });

describe("a composite alarm's rule within AWS's limits", () => {
  it('keeps children in one rule while they fit, quoting each name', () => {
    const children = named(3, 10);
    expect(splitChildren(children)).toEqual([children]);
    expect(anyInAlarm(children)).toBe('ALARM("P0-xxxxxxx") OR ALARM("P1-xxxxxxx") OR ALARM("P2-xxxxxxx")');
    expect(anyInAlarmLength(children)).toBe(anyInAlarm(children).length);
  });

  it('splits at 100 children and at 10,240 characters, whichever comes first', () => {
    const many = splitChildren(named(250, 10));
    expect(many.map((group) => group.length)).toEqual([100, 100, 50]);
    const long = splitChildren(named(100, 255));
    for (const group of long) expect(anyInAlarmLength(group)).toBeLessThanOrEqual(MAX_ALARM_RULE_LENGTH);
    expect(long.length).toBeGreaterThan(1);
    expect(long.flat()).toHaveLength(100);
  });

  it("counts a generated alarm name at CloudFormation's longest: stack, logical id and a 13-character suffix", () => {
    expect(
      generatedNameLength('TournamentProfileIntegration-prod', 'StopConditionsIntegrationErrorRate04E05239'),
    ).toBe(33 + 1 + 42 + 14);
    expect(generatedNameLength('S'.repeat(200), 'L'.repeat(200))).toBe(255);
  });
});

/** The stop conditions alone in a stack, with `platformAlarms`; no bundling, no checks. */
function stopConditions(platformAlarms: readonly string[]): {
  template: Template;
  alarms: StopConditionAlarms;
} {
  const stack = new Stack(new App(), 'TournamentProfileIntegration-prod');
  const table = (id: string) =>
    new Table(stack, id, { partitionKey: { name: 'k', type: AttributeType.STRING } });
  const alarms = new StopConditionAlarms(stack, 'StopConditions', {
    recordingFunction: new LambdaFunction(stack, 'Fn', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => {}'),
    }),
    tables: { activities: table('A'), stats: table('S'), deadLetters: table('D') },
    deliveryDeadLetters: new Queue(stack, 'Q'),
    metricsNamespace: 'Ns',
    serviceName: 'svc',
    settings: STOP_CONDITION_DEFAULTS,
    platformAlarms,
    auditPeriod: Duration.minutes(5),
  });
  return { template: Template.fromStack(stack), alarms };
}

describe('the tournament-operations composite with many platform alarms', () => {
  it('splits them into parts ORed by the condition, each within the limits', () => {
    const platform = Array.from({ length: 150 }, (_, i) => `Platform-${i}-`.padEnd(200, 'e'));
    const { template } = stopConditions(platform);
    const composites = Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm'));
    const parts = composites.filter((c) => /-TournamentOperations-Part\d+$/.test(c.Properties.AlarmName));
    expect(parts.length).toBeGreaterThan(1);
    const ruleText = (rule: unknown) => JSON.stringify(rule);
    for (const part of parts) {
      const count = (ruleText(part.Properties.AlarmRule).match(/ALARM\(/g) ?? []).length;
      expect(count).toBeLessThanOrEqual(MAX_COMPOSITE_CHILDREN);
    }
    const all = parts.map((part) => ruleText(part.Properties.AlarmRule)).join(' ');
    for (const name of platform) expect(all).toContain(`ALARM(\\"${name}\\")`);
    const condition = composites.find((c) => c.Properties.AlarmName.endsWith('-TournamentOperations'));
    expect((ruleText(condition?.Properties.AlarmRule).match(/ALARM\(/g) ?? []).length).toBe(parts.length);
  });
});

describe('the declared signals', () => {
  it('read missing data as zero and never breach the error rate below its floor', () => {
    const [errorRate] = stopConditionAlarmDefinitions(STOP_CONDITION_DEFAULTS, 300);
    if (errorRate?.signal.form !== 'ratio') throw new Error('the error rate is a ratio');
    const signal = errorRate.signal;
    const values = (errors: number, included: number | undefined) => (metric: unknown) =>
      metric === signal.denominator ? included : metric === signal.numerator[0] ? errors : undefined;
    expect(signalValue(signal, values(1, 500))).toBeCloseTo(0.2);
    expect(signalValue(signal, values(5, 199))).toBe(0);
    expect(signalValue(signal, values(5, undefined))).toBe(0);
  });
});
