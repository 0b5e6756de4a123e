import type { CfnResource, PolicyValidationPluginReport, PolicyViolation } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, type NagPackProps, NagRuleCompliance } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { STOP_CONDITION_KINDS } from '../../lambda/rollout/constants.ts';
import type { CheckOptions, CheckRule, Finding } from './check-rule.ts';
import { Unmeasurable } from './parts.ts';
import { alarmStatistics } from './rules/alarm-statistics.ts';
import { environmentSize } from './rules/environment-size.ts';
import { eventPatternSize } from './rules/event-pattern-size.ts';
import { queueAlarmed } from './rules/queue-alarmed.ts';
import { rollbackStopConditions } from './rules/rollback-stop-conditions.ts';
import { stateMachineTimeout } from './rules/state-machine-timeout.ts';
import { StackTemplates } from './stack-template.ts';

/** The pack's rules, in the order they report. */
export const TPI_LIMITS_RULES: readonly CheckRule[] = [
  eventPatternSize,
  environmentSize,
  alarmStatistics,
  queueAlarmed,
  stateMachineTimeout,
  rollbackStopConditions,
];

/** Properties of {@link TpiLimitsChecks}. */
export interface TpiLimitsChecksProps extends NagPackProps {
  /** The stop conditions an alarm may be marked with. @default the rollout plan's four */
  readonly stopConditionKinds?: readonly string[];
}

/**
 * The project's own cdk-nag pack: AWS limits and metric semantics that a template can break without
 * CloudFormation, cfn-lint or the other packs noticing until deploy or, worse, never (an alarm that
 * gets no data). Run it beside AwsSolutions and Serverless:
 * `Validations.of(app).addPlugins(new TpiLimitsChecks({ verbose: true }))`. Each rule's module
 * cites the AWS page of its limit; infra/checks/README.md lists the rules and the markers.
 *
 * Findings are acknowledged like any cdk-nag finding, with a reason, on the resource:
 * `Validations.of(resource).acknowledge({ id: 'TpiLimits-QueueAlarmed', reason: '...' })`, or
 * `TpiLimits-<rule>[<finding id>]` for a rule that reports several findings per resource.
 */
export class TpiLimitsChecks extends NagPack {
  readonly name = 'TpiLimits';
  private readonly options: CheckOptions;
  private readonly verboseMessages: boolean;
  private templates = new StackTemplates();
  /** Each finding's own message, by rule id and construct path: cdk-nag keeps one per rule id. */
  private messages = new Map<string, Map<string, string>>();

  constructor(props: TpiLimitsChecksProps = {}) {
    super(undefined, props);
    this.packName = 'TpiLimits';
    this.verboseMessages = props.verbose ?? false;
    this.options = { stopConditionKinds: props.stopConditionKinds ?? STOP_CONDITION_KINDS };
  }

  override validateScope(scope: IConstruct): PolicyValidationPluginReport {
    this.templates = new StackTemplates();
    this.messages = new Map();
    const report = super.validateScope(scope);
    return { ...report, violations: report.violations.flatMap((violation) => this.split(violation)) };
  }

  protected checkResource(node: CfnResource): void {
    for (const rule of TPI_LIMITS_RULES) {
      if (node.cfnResourceType !== rule.resourceType) continue;
      for (const finding of this.findings(rule, node)) this.report(rule, node, finding);
    }
  }

  private findings(rule: CheckRule, node: CfnResource): Finding[] {
    try {
      const template = this.templates.of(node);
      return rule.check(template.resourceOf(node), template, this.options);
    } catch (error) {
      if (!(error instanceof Unmeasurable)) throw error;
      return [
        {
          id: 'unmeasurable',
          message: `Cannot be checked before deploy: ${error.message}. Make the value a literal, or teach infra/checks the resource type it comes from.`,
        },
      ];
    }
  }

  private report(rule: CheckRule, node: CfnResource, finding: Finding): void {
    const ruleName = `${this.packName}-${rule.id}${finding.id ? `[${finding.id}]` : ''}`;
    const byPath = this.messages.get(ruleName) ?? new Map<string, string>();
    byPath.set(node.node.path, finding.message);
    this.messages.set(ruleName, byPath);
    this.applyRule({
      ruleSuffixOverride: rule.id,
      info: finding.message,
      explanation: rule.explanation,
      level: finding.severity === 'warning' ? NagMessageLevel.WARN : NagMessageLevel.ERROR,
      node,
      rule: () => (finding.id ? [finding.id] : NagRuleCompliance.NON_COMPLIANT),
    });
  }

  /** One violation per distinct message, so every resource is reported with its own numbers and names. */
  private split(violation: PolicyViolation): PolicyViolation[] {
    const byPath = this.messages.get(violation.ruleName);
    if (!byPath) return [violation];
    const groups = new Map<string, PolicyViolation['violatingResources'][number][]>();
    for (const resource of violation.violatingResources) {
      const message = byPath.get(resource.constructPath ?? '') ?? violation.description;
      groups.set(message, [...(groups.get(message) ?? []), resource]);
    }
    const explanation = TPI_LIMITS_RULES.find((rule) =>
      violation.ruleName.startsWith(`${this.packName}-${rule.id}`),
    );
    return [...groups].map(([message, resources]) => ({
      ...violation,
      description: this.verboseMessages && explanation ? `${message} ${explanation.explanation}` : message,
      violatingResources: resources,
    }));
  }
}
