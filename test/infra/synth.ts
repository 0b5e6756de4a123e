import { readFileSync } from 'node:fs';
import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { createApp } from '../../infra/app.ts';
import type { IntegrationStack } from '../../infra/stack.ts';
import { sharedFixture } from '../support/shared.ts';

/** A synthesized integration stack and its template. */
export interface Synthesized {
  readonly stack: IntegrationStack;
  readonly template: Template;
  /** The CloudFormation logical id of a construct's resource. */
  logicalId(construct: IConstruct): string;
  /**
   * `hasResourceProperties` for the one resource of `construct`: its type is `type` and its
   * properties match `props` as an object-like pattern, so `Match` matchers apply inside.
   */
  hasProperties(construct: IConstruct, type: string, props: Record<string, unknown>): void;
}

/**
 * A synthesis runs cdk-nag's two packs and the Control Tower Guard rules: tens of seconds on a
 * busy machine, so hooks and tests that synthesize get this deadline instead of the default.
 */
export const SYNTH_TIMEOUT_MS = 600_000;

/** The context `cdk.json` gives the CLI (settings and feature flags). */
export const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

/**
 * Synthesizes the app as `cdk synth` would (cdk.json context plus overrides, cdk-nag on), with asset bundling
 * skipped: these tests read the template, and the real bundling is covered by the CLI synth test.
 */
export function synthesize(context: Record<string, unknown> = {}): Synthesized {
  const { stack } = createApp({
    context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context },
  });
  const template = Template.fromStack(stack);
  const logicalId = (construct: IConstruct) => {
    const element = (construct.node.defaultChild ?? construct) as CfnElement;
    return Stack.of(element).getLogicalId(element);
  };
  return {
    stack,
    template,
    logicalId,
    hasProperties: (construct, type, props) =>
      template.templateMatches({ Resources: { [logicalId(construct)]: { Type: type, Properties: props } } }),
  };
}

/**
 * Synthesizes once for the enclosing suite, before its tests, as a {@link sharedFixture}: tests
 * read the result through the returned object.
 */
export function synthesizeForSuite(context: Record<string, unknown> = {}): Synthesized {
  return sharedFixture(async () => synthesize(context));
}

/** The resources of one type in a template, by logical id. */
export function resourcesOf(
  template: Template,
  type: string,
): Record<string, { Properties: Record<string, unknown>; [key: string]: unknown }> {
  return template.findResources(type) as Record<
    string,
    { Properties: Record<string, unknown>; [key: string]: unknown }
  >;
}
