import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SYNTH_TIMEOUT_MS, type Synthesized, synthesize } from './synth.ts';

// Prepare: set before any module of the app loads (hoisted above the imports), as a shell running
// `cdk synth` with a leftover POWERTOOLS_* export would.
const saved = vi.hoisted(() => {
  const leaked = { POWERTOOLS_SERVICE_NAME: 'leaked', POWERTOOLS_METRICS_NAMESPACE: 'leaked' };
  const before = Object.fromEntries(Object.keys(leaked).map((name) => [name, process.env[name]]));
  Object.assign(process.env, leaked);
  return before;
});

describe("a synthesis on a machine whose shell sets Powertools' variables", () => {
  let s: Synthesized;

  beforeAll(() => {
    expect(process.env.POWERTOOLS_SERVICE_NAME).toBe('leaked');
    // Act
    s = synthesize();
  }, SYNTH_TIMEOUT_MS);

  afterAll(() => {
    for (const [name, value] of Object.entries(saved))
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  });

  it("deploys every function with the stack's service name and namespace, not the machine's", () => {
    // Assess
    const functions = s.template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: Match.anyValue() } } },
    });
    const variables = Object.values(functions).map((f) => f.Properties.Environment.Variables);
    expect(variables.length).toBeGreaterThanOrEqual(6);
    for (const v of variables)
      expect(v).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'tournament-profile-integration',
        POWERTOOLS_METRICS_NAMESPACE: 'TournamentProfileIntegration',
      });
  });

  it("watches the metrics in the stack's namespace and service, and nothing names the machine's", () => {
    // Assess
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'TournamentProfileIntegration',
      Dimensions: Match.arrayWith([{ Name: 'service', Value: 'tournament-profile-integration' }]),
    });
    expect(JSON.stringify(s.template.toJSON())).not.toContain('leaked');
  });
});
