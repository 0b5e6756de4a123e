import type { CheckRule } from '../check-rule.ts';
import { deployedJsonLength, deployedValue } from '../deployed-json.ts';
import { intrinsic } from '../deployed-string.ts';
import { maxLength } from '../parts.ts';

/**
 * EventBridge's quota on event patterns: "Event pattern size | Each supported Region: 2,048 | Yes |
 * Maximum size of an event pattern, in characters." (Amazon EventBridge quotas,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html; adjustable, to 4,096 on
 * request). A pattern over it fails `PutRule`, so the stack does not deploy.
 */
export const EVENT_PATTERN_MAX_CHARACTERS = 2_048;

/**
 * An EventBridge rule's event pattern fits the quota as it will be deployed: names CloudFormation
 * generates (an unnamed alarm is `{StackName}-{LogicalId}-{13 characters}`, see
 * infra/checks/deployed-names.ts) count at their full length, with the stack name of the stack the
 * rule is in.
 */
export const eventPatternSize: CheckRule = {
  id: 'EventPatternSize',
  resourceType: 'AWS::Events::Rule',
  explanation: `EventBridge refuses an event pattern longer than ${EVENT_PATTERN_MAX_CHARACTERS} characters (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html), counted after CloudFormation has filled in generated names and ARNs.`,
  check(rule, template) {
    const pattern = rule.properties.EventPattern;
    if (pattern === undefined) return [];
    // A pattern given as a JSON string (or an intrinsic building one) is used as written.
    const length =
      typeof pattern === 'object' && pattern !== null && !intrinsic(pattern)[0]
        ? deployedJsonLength(pattern, template)
        : maxLength(deployedValue(pattern, template));
    if (length <= EVENT_PATTERN_MAX_CHARACTERS) return [];
    return [
      {
        message: `The event pattern is up to ${length} characters once deployed (generated alarm and resource names included); EventBridge accepts ${EVENT_PATTERN_MAX_CHARACTERS}, so the deploy fails. Match fewer, shorter values: for alarms, match one composite alarm per purpose instead of listing every alarm name.`,
      },
    ];
  },
};
