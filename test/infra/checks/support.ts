import { App, Stack } from 'aws-cdk-lib';
import { TpiLimitsChecks, type TpiLimitsChecksProps } from '../../../infra/checks/pack.ts';

/** One finding of the pack on one resource. */
export interface Found {
  /** `TpiLimits-<rule>` or `TpiLimits-<rule>[<finding id>]`. */
  readonly rule: string;
  /** Construct path of the resource. */
  readonly path: string;
  readonly message: string;
  readonly severity: string | undefined;
}

/**
 * Builds one stack named `stackName` with `build`, synthesizes the app (so aspects have run, as
 * when the pack runs as a validation plugin) and returns what the pack finds.
 */
export function findingsOf(
  build: (stack: Stack) => void,
  stackName = 'Checks',
  props: TpiLimitsChecksProps = {},
): Found[] {
  const app = new App();
  build(new Stack(app, stackName, { stackName }));
  return findingsIn(app, props);
}

/** What the pack finds in an app that is already built, after synthesizing it. */
export function findingsIn(app: App, props: TpiLimitsChecksProps = {}): Found[] {
  app.synth();
  return new TpiLimitsChecks(props).validateScope(app).violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => ({
      rule: violation.ruleName,
      path: resource.constructPath ?? '',
      message: violation.description,
      severity: violation.severity,
    })),
  );
}

/** The findings of one rule (`TpiLimits-<rule>`, with or without a finding id). */
export function ofRule(found: readonly Found[], rule: string): Found[] {
  return found.filter((f) => f.rule === `TpiLimits-${rule}` || f.rule.startsWith(`TpiLimits-${rule}[`));
}
