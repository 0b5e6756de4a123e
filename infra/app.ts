import { pathToFileURL } from 'node:url';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { TpiLimitsChecks } from './checks/pack.ts';
import { addIntegrationStack, type IntegrationStack } from './stack.ts';

/**
 * The CDK app: the integration stack, checked at synth by cdk-nag's AWS Solutions and Serverless
 * packs, the project's own pack of AWS limits and metric semantics (`TpiLimitsChecks`,
 * infra/checks/) and the AWS Control Tower Guard rules (`@cdklabs/cdk-validator-cfnguard`). A
 * finding that is not acknowledged with a reason on its resource fails the synthesis.
 */
export function createApp(props?: AppProps): { app: App; stack: IntegrationStack } {
  const app = new App(props);
  const stack = addIntegrationStack(app);
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    new ServerlessChecks(app, { verbose: true }),
    new TpiLimitsChecks({ verbose: true }),
    new CfnGuardValidator(),
  );
  return { app, stack };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) createApp().app.synth();
