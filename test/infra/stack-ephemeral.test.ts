import { describe, expect, it } from 'vitest';
import { resourcesOf, synthesizeForSuite } from './synth.ts';

describe('a stage declared ephemeral', () => {
  const s = synthesizeForSuite({ stage: 'dev', ephemeral: 'true' });

  it('destroys its tables and queues with the stack, and only it', () => {
    const data = [
      ...Object.values(resourcesOf(s.template, 'AWS::DynamoDB::Table')),
      ...Object.values(resourcesOf(s.template, 'AWS::SQS::Queue')),
    ];
    // Three tables; seven queues (five of failures, the erasure requests and their dead letters).
    expect(data).toHaveLength(10);
    for (const resource of data) expect(resource.DeletionPolicy).toBe('Delete');
    for (const table of Object.values(resourcesOf(s.template, 'AWS::DynamoDB::Table')))
      expect(table.Properties.DeletionProtectionEnabled).toBe(false);
  });
});
