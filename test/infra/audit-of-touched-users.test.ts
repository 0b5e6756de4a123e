import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { resourcesOf, synthesizeForSuite } from './synth.ts';

const s = synthesizeForSuite();

describe('the audit of what changed', () => {
  it('reads the activity stream with a second event source mapping, new activities only, from LATEST', () => {
    const audit = s.stack.audit;
    const mappings = Object.values(resourcesOf(s.template, 'AWS::Lambda::EventSourceMapping')).filter((m) =>
      JSON.stringify(m.Properties.EventSourceArn).includes(s.logicalId(s.stack.tables.activities)),
    );

    // The projector and the audit: the two readers a stream shard should have at most.
    expect(mappings).toHaveLength(2);
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: s.logicalId(audit.streamAudit.function) },
      StartingPosition: 'LATEST',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 30,
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'] }) }] },
    });
  });

  it("gives it one user's partition of each table to read, nothing more", () => {
    const role = s.logicalId(s.stack.audit.streamAudit.role);
    const statements = Object.values(resourcesOf(s.template, 'AWS::IAM::Policy'))
      .filter((p) => (p.Properties.Roles as { Ref?: string }[]).some((r) => r.Ref === role))
      .flatMap(
        (p) => (p.Properties.PolicyDocument as { Statement: { Sid?: string; Action: unknown }[] }).Statement,
      );

    expect(statements.find((st) => st.Sid === 'ReadTouchedUsers')?.Action).toEqual('dynamodb:Query');
    expect(JSON.stringify(statements)).not.toMatch(/dynamodb:Scan|dynamodb:PutItem|ssm:/);
  });

  it('names the audit-not-running alarm so the rollout and the CLI find it, and gives its name to the step', () => {
    s.hasProperties(s.stack.audit.notRunning, 'AWS::CloudWatch::Alarm', {
      AlarmName: 'TournamentProfileIntegration-AuditNotRunning',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'breaching',
      MetricName: 'AuditRuns',
    });
    s.hasProperties(s.stack.rollout.stepFunction.function, 'AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ AUDIT_ALARM_NAME: 'TournamentProfileIntegration-AuditNotRunning' }),
      },
    });
  });
});
