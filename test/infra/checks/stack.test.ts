import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { addIntegrationStack } from '../../../infra/stack.ts';
import { CDK_JSON_CONTEXT, SYNTH_TIMEOUT_MS } from '../synth.ts';
import { findingsIn } from './support.ts';

/** The production synth of docs/deploy.md: a production stage, an alarm target, a platform alarm. */
const PRODUCTION = {
  stage: 'prod',
  production: 'true',
  alarmEmail: 'ops@example.com',
  platformAlarms: 'PlatformErrors',
};

/** The integration stack built from cdk.json's context plus `context`, bundling skipped (the pack reads the template). */
function integrationApp(context: Record<string, unknown>): App {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context } });
  addIntegrationStack(app);
  return app;
}

describe('the integration stack under the TpiLimits pack', () => {
  it(
    'has no finding in the production template',
    () => {
      // Act
      const found = findingsIn(integrationApp(PRODUCTION));

      // Assess
      expect(found.map((f) => `${f.rule} ${f.path}: ${f.message}`)).toEqual([]);
    },
    SYNTH_TIMEOUT_MS,
  );

  it(
    'has no finding in the default template',
    () => {
      // Act
      const found = findingsIn(integrationApp({}));

      // Assess
      expect(found.map((f) => `${f.rule} ${f.path}: ${f.message}`)).toEqual([]);
    },
    SYNTH_TIMEOUT_MS,
  );
});
