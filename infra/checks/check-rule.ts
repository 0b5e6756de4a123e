import type { StackTemplate, TemplateResource } from './stack-template.ts';

/** One thing wrong with one resource. */
export interface Finding {
  /**
   * Distinguishes findings of one rule on one resource, and is what an acknowledgement names:
   * `TpiLimits-RuleId[id]`. Letters, digits and `:/_.-` only. Omit when the rule finds at most one
   * thing per resource (the acknowledgement is then `TpiLimits-RuleId`).
   */
  readonly id?: string;
  /** What is wrong and what the operator does next. */
  readonly message: string;
  /** `warning` does not fail the synth; the default is `error`. */
  readonly severity?: 'error' | 'warning';
}

/** Options every rule may read. */
export interface CheckOptions {
  /** The stop conditions an alarm may be marked with. */
  readonly stopConditionKinds: readonly string[];
}

/** A rule of the pack: which resources it checks, why, and how. */
export interface CheckRule {
  /** The rule id after the pack's prefix: `TpiLimits-<id>`. */
  readonly id: string;
  /** CloudFormation type of the resources checked. */
  readonly resourceType: string;
  /** Why the rule exists, with the documentation page of the limit. */
  readonly explanation: string;
  check(resource: TemplateResource, template: StackTemplate, options: CheckOptions): Finding[];
}
