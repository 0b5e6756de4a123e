import { App, CfnParameter, type CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule } from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { deployedJsonLength } from '../../../infra/checks/deployed-json.ts';
import { GENERATED_SUFFIX_LENGTH } from '../../../infra/checks/deployed-names.ts';
import { markRollbackTrigger } from '../../../infra/checks/markers.ts';
import { TpiLimitsChecks } from '../../../infra/checks/pack.ts';
import { EVENT_PATTERN_MAX_CHARACTERS } from '../../../infra/checks/rules/event-pattern-size.ts';
import { StackTemplates } from '../../../infra/checks/stack-template.ts';
import { findingsIn, findingsOf, ofRule } from './support.ts';

const alarm = (scope: Construct, id: string) =>
  new Alarm(scope, id, {
    metric: new Metric({ namespace: 'Test', metricName: 'M' }),
    threshold: 0,
    evaluationPeriods: 1,
  });

/** A rule matching the state changes of `count` unnamed alarms, as the rollback rule does today. */
function alarmRule(stack: Stack, count: number): Rule {
  const alarms = Array.from({ length: count }, (_, i) => alarm(stack, `Alarm${String(i).padStart(2, '0')}`));
  const rule = new Rule(stack, 'Rollback', {
    eventPattern: {
      source: ['aws.cloudwatch'],
      detailType: ['CloudWatch Alarm State Change'],
      detail: { alarmName: alarms.map((a) => a.alarmName), state: { value: ['ALARM'] } },
    },
  });
  markRollbackTrigger(rule, false);
  return rule;
}

/** A stack name of `length` characters. */
const stackNamed = (length: number) => `S${'-x'.repeat((length - 1) / 2)}`;

describe('TpiLimits-EventPatternSize', () => {
  it('counts an unnamed alarm at its generated name: {StackName}-{LogicalId}-{13 characters}', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack1', { stackName: 'Stack1' });
    const rule = alarmRule(stack, 1);
    const logicalId = stack.getLogicalId(stack.node.findChild('Alarm00').node.defaultChild as CfnResource);
    const deployed = JSON.stringify({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      detail: {
        alarmName: [`Stack1-${logicalId}-${'X'.repeat(GENERATED_SUFFIX_LENGTH)}`],
        state: { value: ['ALARM'] },
      },
    });

    const template = new StackTemplates().of(rule.node.defaultChild as CfnResource);
    const pattern = template.resourceOf(rule.node.defaultChild as CfnResource).properties.EventPattern;

    expect(deployedJsonLength(pattern, template)).toBe(deployed.length);
  });

  it('finds a pattern that fits in a short-named stack and not in the long-named stack it is deployed as', () => {
    // Prepare: the same 22 alarms and rule, once in a 5-character stack, once in a 61-character one.
    const app = new App();
    const short = new Stack(app, 'Short', { stackName: stackNamed(5) });
    const long = new Stack(app, 'Long', { stackName: stackNamed(61) });
    alarmRule(short, 22);
    alarmRule(long, 22);

    // Act
    const found = ofRule(findingsIn(app), 'EventPatternSize');

    // Assess: only the long-named stack's rule, with its size and what to do.
    expect(found.map((f) => f.path)).toEqual(['Long/Rollback/Resource']);
    const size = Number(/up to (\d+) characters/.exec(found[0]?.message ?? '')?.[1]);
    expect(size).toBeGreaterThan(EVENT_PATTERN_MAX_CHARACTERS);
    expect(found[0]?.message).toMatch(/composite alarm/);
  });

  it('passes a pattern within the quota', () => {
    expect(
      ofRule(
        findingsOf((stack) => alarmRule(stack, 5)),
        'EventPatternSize',
      ),
    ).toEqual([]);
  });

  it('reports a pattern whose length depends on a parameter as unmeasurable', () => {
    const found = findingsOf((stack) => {
      const name = new CfnParameter(stack, 'AlarmName');
      new Rule(stack, 'ByParameter', {
        eventPattern: { source: ['tournaments'], detail: { name: [name.valueAsString] } },
      });
    });

    expect(ofRule(found, 'EventPatternSize').map((f) => f.rule)).toEqual([
      'TpiLimits-EventPatternSize[unmeasurable]',
    ]);
  });

  it('fails the synth as a validation plugin, unless the finding is acknowledged with a reason', () => {
    const build = (acknowledge: boolean) => {
      const app = new App();
      Validations.of(app).addPlugins(new TpiLimitsChecks());
      const rule = alarmRule(new Stack(app, 'Long', { stackName: stackNamed(61) }), 22);
      if (acknowledge)
        Validations.of(rule).acknowledge({
          id: 'TpiLimits-EventPatternSize',
          reason: 'quota raised to 4,096',
        });
      return app;
    };

    expect(() => build(false).synth()).toThrow(/TpiLimits-EventPatternSize/);
    expect(() => build(true).synth()).not.toThrow();
  });
});
