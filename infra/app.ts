import { pathToFileURL } from 'node:url';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addIntegrationStack, type IntegrationStack } from './stack.ts';

/**
 * The CDK app: the integration stack, checked by the AWS Solutions rules of cdk-nag. A finding
 * that is not acknowledged with a reason on its resource fails the synthesis.
 */
export function createApp(props?: AppProps): { app: App; stack: IntegrationStack } {
  const app = new App(props);
  const stack = addIntegrationStack(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) createApp().app.synth();
