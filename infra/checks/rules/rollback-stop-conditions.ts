import type { CheckOptions, CheckRule, Finding } from '../check-rule.ts';
import { knownValue } from '../deployed-string.ts';
import { ROLLBACK_TRIGGER_MARKER } from '../markers.ts';
import type { StackTemplate, TemplateResource } from '../stack-template.ts';
import { alarmFindings, selectedAlarm } from './rollback-sources.ts';

/** The event CloudWatch sends to the default bus when an alarm changes state (delivery guaranteed). */
const ALARM_SOURCE = 'aws.cloudwatch';
/** The same event, best effort, from "CloudWatch Monitoring" (events-ref-monitoring): it matches too. */
const MONITORING_SOURCE = 'aws.monitoring';
const ALARM_DETAIL_TYPE = 'CloudWatch Alarm State Change';

/**
 * The rollout plan rolls back for four reasons only. A rule marked as the rollback trigger
 * (`tpi:rollback-trigger: true`, infra/checks/markers.ts) may match only CloudWatch alarm state
 * changes, and only of alarms marked as stop conditions (`tpi:stop-condition`); never a queue alarm,
 * an unmarked alarm, an alarm named outside the stack (wrap those in a marked composite alarm), or
 * every alarm. A rule on the default bus that matches alarm state changes without saying whether it
 * rolls back is a finding too, so no rule rolls back by accident.
 *
 * CloudWatch sends "CloudWatch Alarm State Change" events with source `aws.cloudwatch`, the alarm's
 * name in `detail.alarmName` and its ARN in `resources`, to the default event bus: "CloudWatch
 * guarantees the delivery of alarm state change events to EventBridge." (Alarm events and
 * EventBridge, https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html);
 * the same detail type also arrives, best effort, with source `aws.monitoring`
 * (https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-monitoring.html).
 */
export const rollbackStopConditions: CheckRule = {
  id: 'RollbackOnlyOnStopConditions',
  resourceType: 'AWS::Events::Rule',
  explanation:
    "The rollout plan rolls the flag back on its four stop conditions only; any other alarm in the rollback rule's pattern turns the integration off for every user on an event that should only page (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html).",
  check(rule, template, options) {
    const pattern = patternOf(rule);
    if (!pattern) return [];
    const marker = rule.metadata[ROLLBACK_TRIGGER_MARKER];
    if (marker === undefined)
      return matchesAlarmStateChanges(rule, pattern, template)
        ? [
            {
              id: 'unclassified',
              message: `This rule matches CloudWatch alarm state changes but does not say whether it rolls the flag back. Mark it: markRollbackTrigger(rule) when its targets roll back (it may then match stop-condition alarms only), markRollbackTrigger(rule, false) when it only notifies.`,
            },
          ]
        : [];
    if (marker === false) return [];
    if (marker !== true)
      return [
        {
          id: 'marker',
          message: `${ROLLBACK_TRIGGER_MARKER} must be true or false, not ${JSON.stringify(marker)}.`,
        },
      ];
    return triggerFindings(pattern, template, options);
  },
};

type Pattern = Readonly<Record<string, unknown>>;

function patternOf(rule: TemplateResource): Pattern | undefined {
  const pattern = rule.properties.EventPattern;
  if (typeof pattern === 'string') return JSON.parse(pattern) as Pattern;
  return pattern && typeof pattern === 'object' ? (pattern as Pattern) : undefined;
}

/** Whether a field's matchers may match `value` (an absent field matches everything). */
function mayMatch(field: unknown, value: string): boolean {
  if (field === undefined) return true;
  const matchers = Array.isArray(field) ? field : [field];
  return matchers.some((m) => m === value || (m !== null && typeof m === 'object'));
}

function matchesAlarmStateChanges(
  rule: TemplateResource,
  pattern: Pattern,
  template: StackTemplate,
): boolean {
  const bus = rule.properties.EventBusName;
  const onDefaultBus = bus === undefined || knownValue(bus, template) === 'default';
  const source = mayMatch(pattern.source, ALARM_SOURCE) || mayMatch(pattern.source, MONITORING_SOURCE);
  return onDefaultBus && source && mayMatch(pattern['detail-type'], ALARM_DETAIL_TYPE);
}

function triggerFindings(pattern: Pattern, template: StackTemplate, options: CheckOptions): Finding[] {
  const findings: Finding[] = [];
  const exactly = (field: unknown, value: string) =>
    Array.isArray(field) && field.length === 1 && field[0] === value;
  if (!exactly(pattern.source, ALARM_SOURCE) || !exactly(pattern['detail-type'], ALARM_DETAIL_TYPE))
    findings.push({
      id: 'not-only-alarms',
      message: `The rollback rule matches more than CloudWatch alarm state changes: set "source": ["${ALARM_SOURCE}"] and "detail-type": ["${ALARM_DETAIL_TYPE}"] exactly, so nothing but a stop-condition alarm turns the integration off.`,
    });
  const detail = pattern.detail as Pattern | undefined;
  const selectors = [detail?.alarmName, pattern.resources].filter((field) => field !== undefined);
  if (selectors.length === 0)
    findings.push({
      id: 'every-alarm',
      message:
        'The rollback rule matches the state changes of every alarm in the account and Region: list the stop-condition alarms in "detail": {"alarmName": [...]}, ideally one composite alarm per purpose.',
    });
  const seen = new Set<string>();
  for (const selector of selectors.flatMap((field) => (Array.isArray(field) ? field : [field])))
    findings.push(...selectorFindings(selector, template, options, seen));
  return findings;
}

function selectorFindings(
  selector: unknown,
  template: StackTemplate,
  options: CheckOptions,
  seen: Set<string>,
) {
  const isMatcher =
    selector !== null && typeof selector === 'object' && !('Ref' in selector) && !isIntrinsic(selector);
  if (isMatcher)
    return [
      {
        id: 'alarm-matcher',
        message: `The rollback rule selects alarms with the matcher ${JSON.stringify(selector)}: any alarm whose name fits rolls back, stop condition or not. List the stop-condition alarms by name.`,
      },
    ];
  const selected = selectedAlarm(selector, template);
  if (selected.kind === 'stack') return alarmFindings(selected.alarm, template, options, seen);
  const name = selected.kind === 'external' ? selected.name : selected.description;
  return [
    {
      id:
        selected.kind === 'external'
          ? `external:${name.replace(/[^A-Za-z0-9_./-]/g, '_')}`
          : 'unresolved-alarm',
      message: `The rollback rule matches alarm ${name}, which this stack does not define, so it cannot carry the stop-condition marker. Put it into a composite alarm of this stack marked with its stop condition (markStopCondition in infra/checks/markers.ts) and match that composite alarm.`,
    },
  ];
}

function isIntrinsic(value: object): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0]?.startsWith('Fn::') ?? false);
}
