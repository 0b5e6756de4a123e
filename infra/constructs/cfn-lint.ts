import type { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Metadata key where each cfn-lint acknowledgement keeps its reason, beside cfn-lint's own config. */
export const CFN_LINT_REASONS = 'tpi:cfn-lint-acknowledged';

/**
 * Acknowledges a cfn-lint rule on one resource, with the reason, as cdk-nag acknowledgements do:
 * cfn-lint reads `Metadata.cfn-lint.config.ignore_checks` of the resource; the reason is kept in
 * the template next to it, so a reviewer sees why.
 */
export function acknowledgeCfnLint(scope: IConstruct, rule: string, reason: string): void {
  const resource = (scope.node.defaultChild ?? scope) as CfnResource;
  const config = (resource.getMetadata('cfn-lint') as { config?: { ignore_checks?: string[] } }) ?? {};
  const checks = new Set([...(config.config?.ignore_checks ?? []), rule]);
  resource.addMetadata('cfn-lint', { config: { ignore_checks: [...checks] } });
  const reasons = (resource.getMetadata(CFN_LINT_REASONS) as Record<string, string>) ?? {};
  resource.addMetadata(CFN_LINT_REASONS, { ...reasons, [rule]: reason });
}

/** CDK adds a DependsOn on a function's or machine's role policy and also refers to the role. */
export const W3005_CDK_ROLE_DEPENDENCY =
  'CDK adds DependsOn on the role (and its default policy) so the policy exists before the first invocation; the GetAtt covers only the role, not its policy, so the explicit dependency is kept.';
