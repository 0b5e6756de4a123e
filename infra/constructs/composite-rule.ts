/**
 * AWS's limits on a composite alarm's rule, and how children are split to respect them.
 *
 * - "The rule expression of a composite alarm can include as many as 100 underlying alarms."
 *   (PutCompositeAlarm, https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html)
 * - `AlarmRule` is at most 10,240 characters (AWS::CloudWatch::CompositeAlarm,
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudwatch-compositealarm.html).
 * - "In a composite alarm, all underlying alarms must be in the same AWS Region and the same
 *   account." (Creating a composite alarm,
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Composite_Alarm.html)
 */

/** Children one composite alarm's rule may name. */
export const MAX_COMPOSITE_CHILDREN = 100;
/** Characters of one composite alarm's rule. */
export const MAX_ALARM_RULE_LENGTH = 10_240;
/** Characters of an alarm name. */
export const MAX_ALARM_NAME_LENGTH = 255;
/** Characters CloudFormation appends to a generated name: `-` and a 13-character random suffix. */
const GENERATED_SUFFIX_LENGTH = 14;

/** One child of a composite alarm: how the rule names it, and at most how long that is once deployed. */
export interface CompositeChild {
  /** The name or ARN the rule quotes (a literal, or a token CloudFormation fills in). */
  readonly reference: string;
  /** Its longest deployed length, in characters. */
  readonly maxLength: number;
}

/**
 * Longest name CloudFormation generates for an unnamed alarm: `{StackName}-{LogicalId}-{suffix}`,
 * at most 255 characters.
 */
export function generatedNameLength(stackName: string, logicalId: string): number {
  return Math.min(MAX_ALARM_NAME_LENGTH, stackName.length + 1 + logicalId.length + GENERATED_SUFFIX_LENGTH);
}

/** `ALARM("name")` for each child, joined with `OR`: the composite is in ALARM while any child is. */
export function anyInAlarm(children: readonly CompositeChild[]): string {
  return children.map((child) => `ALARM("${child.reference}")`).join(' OR ');
}

/** The rule's longest deployed length. */
export function anyInAlarmLength(children: readonly CompositeChild[]): number {
  const each = children.reduce((sum, child) => sum + 'ALARM("")'.length + child.maxLength, 0);
  return each + ' OR '.length * Math.max(0, children.length - 1);
}

/**
 * The children in consecutive groups, each within both limits: one group when they fit one rule,
 * several (each a composite of its own, ORed by the parent) when they do not.
 */
export function splitChildren(children: readonly CompositeChild[]): CompositeChild[][] {
  const groups: CompositeChild[][] = [];
  let current: CompositeChild[] = [];
  for (const child of children) {
    const next = [...current, child];
    if (
      current.length > 0 &&
      (next.length > MAX_COMPOSITE_CHILDREN || anyInAlarmLength(next) > MAX_ALARM_RULE_LENGTH)
    ) {
      groups.push(current);
      current = [child];
    } else current = next;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
