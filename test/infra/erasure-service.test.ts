import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ErasureAccess } from '../../infra/constructs/erasure-access.ts';
import { ERASURE_MAX_RECEIVES, ERASURE_WORKER_TIMEOUT } from '../../infra/constructs/erasure-service.ts';
import { STACK_OUTPUTS } from '../../infra/output-keys.ts';
import { resourcesOf, SYNTH_TIMEOUT_MS, type Synthesized, synthesize } from './synth.ts';

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function inlineStatements(s: Synthesized, roleLogicalId: string): Statement[] {
  return Object.values(resourcesOf(s.template, 'AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref?: string }[]).some((r) => r.Ref === roleLogicalId))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

describe('DELETE /users/{userId} on the deployed read API', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthesize();
  }, SYNTH_TIMEOUT_MS);

  it('is an IAM-authorized route to its own function, not to the read function', () => {
    const service = s.stack.erasureService;
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'DELETE /users/{userId}',
      AuthorizationType: 'AWS_IAM',
      Target: Match.anyValue(),
    });
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': [s.logicalId(service.requestFunction.function), 'Arn'] },
    });
  });

  it('queues requests on an encrypted FIFO queue with a FIFO dead-letter queue, worked one at a time', () => {
    const { requests, deadLetters, worker } = s.stack.erasureService;
    s.template.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      SqsManagedSseEnabled: true,
      VisibilityTimeout: ERASURE_WORKER_TIMEOUT.toSeconds() * 6,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [s.logicalId(deadLetters.queue), 'Arn'] },
        maxReceiveCount: ERASURE_MAX_RECEIVES,
      },
    });
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [s.logicalId(requests), 'Arn'] },
      FunctionName: { Ref: s.logicalId(worker.function) },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    s.template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: ERASURE_WORKER_TIMEOUT.toSeconds(),
      Environment: {
        Variables: Match.objectLike({ ERASURE_SETTLE_SECONDS: Match.stringLikeRegexp('^\\d+$') }),
      },
    });
  });

  it('lets the request function read one item of the statistics table and send to the queue, nothing else', () => {
    const { requestFunction, requests } = s.stack.erasureService;
    const statements = inlineStatements(s, s.logicalId(requestFunction.role)).filter(
      (st) => !asList(st.Action).some((a) => a.startsWith('logs:') || a.startsWith('xray:')),
    );
    expect(statements.map((st) => asList(st.Action).sort())).toEqual([
      ['dynamodb:GetItem'],
      ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
    ]);
    expect(statements[0]?.Resource).toEqual({
      'Fn::GetAtt': [s.logicalId(s.stack.tables.stats), 'Arn'],
    });
    expect(statements[1]?.Resource).toEqual({ 'Fn::GetAtt': [s.logicalId(requests), 'Arn'] });
  });

  it("gives the worker the operators' erasure policy, and callers a policy for the erase route alone", () => {
    const { worker, invokePolicy } = s.stack.erasureService;
    const role = resourcesOf(s.template, 'AWS::IAM::Role')[s.logicalId(worker.role)];
    const access = s.stack.node.findChild('Erasure') as ErasureAccess;
    expect(role?.Properties.ManagedPolicyArns).toEqual([{ Ref: s.logicalId(access.operatorPolicy) }]);
    const policy = resourcesOf(s.template, 'AWS::IAM::ManagedPolicy')[s.logicalId(invokePolicy)];
    const [statement, ...rest] =
      (policy?.Properties.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? [];
    expect(rest).toEqual([]);
    expect(statement?.Action).toBe('execute-api:Invoke');
    const resource = statement?.Resource as { 'Fn::Join': [string, unknown[]] };
    expect(resource['Fn::Join'][1].at(-1)).toBe('/$default/DELETE/users/*');
    const outputs = s.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs[STACK_OUTPUTS.eraseApiPolicyArn]?.Value).toEqual({ Ref: s.logicalId(invokePolicy) });
  });
});
