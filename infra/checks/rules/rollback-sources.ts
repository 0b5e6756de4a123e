import { alarmMetrics, isAlarm, refersTo } from '../alarm-metrics.ts';
import type { CheckOptions, Finding } from '../check-rule.ts';
import { deployedParts, knownValue } from '../deployed-string.ts';
import { STOP_CONDITION_MARKER } from '../markers.ts';
import { isText, knownText, merged, Unmeasurable } from '../parts.ts';
import type { StackTemplate, TemplateResource } from '../stack-template.ts';

/**
 * What an alarm selector of the rollback rule (an entry of `detail.alarmName` or `resources`) stands
 * for: an alarm of this stack, an alarm named outside it, or something that cannot be resolved.
 */
export type SelectedAlarm =
  | { readonly kind: 'stack'; readonly alarm: TemplateResource }
  | { readonly kind: 'external'; readonly name: string }
  | { readonly kind: 'unresolved'; readonly description: string };

/** Resolves one selector: a `Ref`/`Fn::GetAtt` of an alarm, an alarm name, or an alarm ARN. */
export function selectedAlarm(selector: unknown, template: StackTemplate): SelectedAlarm {
  for (const resource of template.resources.values())
    if (isAlarm(resource) && refersTo(selector, resource.logicalId, ['Arn']))
      return { kind: 'stack', alarm: resource };
  const name = alarmNameOf(selector, template);
  if (name === undefined) return { kind: 'unresolved', description: JSON.stringify(selector) };
  const alarm = alarmNamed(name, template);
  return alarm ? { kind: 'stack', alarm } : { kind: 'external', name };
}

/** The alarm name a selector gives, read from an ARN (`...:alarm:NAME`) when it is one. */
function alarmNameOf(selector: unknown, template: StackTemplate): string | undefined {
  let parts: ReturnType<typeof deployedParts>;
  try {
    parts = merged(deployedParts(selector, template));
  } catch (error) {
    if (error instanceof Unmeasurable) return undefined;
    throw error;
  }
  const full = knownText(parts);
  if (full !== undefined)
    return full.includes(':alarm:') ? full.slice(full.lastIndexOf(':alarm:') + 7) : full;
  // An ARN built from the stack's account and region still ends in a literal name.
  const last = parts.at(-1);
  if (last && isText(last) && last.text.includes(':alarm:'))
    return last.text.slice(last.text.lastIndexOf(':alarm:') + 7);
  return undefined;
}

function alarmNamed(name: string, template: StackTemplate): TemplateResource | undefined {
  return [...template.resources.values()].find(
    (resource) => isAlarm(resource) && knownValue(resource.properties.AlarmName, template) === name,
  );
}

/**
 * Why an alarm of the stack may not roll the flag back, if it may not: it must carry a valid
 * stop-condition marker, must not be an alarm on a queue, and a composite alarm's children of this
 * stack must pass the same test. Children named outside the stack (the platform's alarms) are
 * allowed inside a marked composite alarm: the composite is the stop condition that names them.
 */
export function alarmFindings(
  alarm: TemplateResource,
  template: StackTemplate,
  options: CheckOptions,
  seen: Set<string> = new Set(),
): Finding[] {
  if (seen.has(alarm.logicalId)) return [];
  seen.add(alarm.logicalId);
  const id = alarm.logicalId;
  const kind = alarm.metadata[STOP_CONDITION_MARKER];
  const findings: Finding[] = [];
  if (kind === undefined)
    findings.push({
      id: `unmarked:${id}`,
      message: `The rollback rule matches alarm ${id}, which is not marked as one of the rollout's stop conditions: any ALARM of it switches the integration off. If it detects one of ${options.stopConditionKinds.join(', ')}, mark it (markStopCondition in infra/checks/markers.ts); otherwise take it out of the rule and let it page only.`,
    });
  else if (typeof kind !== 'string' || !options.stopConditionKinds.includes(kind))
    findings.push({
      id: `unknown-kind:${id}`,
      message: `Alarm ${id} is marked as stop condition ${JSON.stringify(kind)}, which is not one of the rollout plan's (${options.stopConditionKinds.join(', ')}). Mark it with one of them, or take it out of the rollback rule.`,
    });
  if (isQueueAlarm(alarm, template))
    findings.push({
      id: `queue-alarm:${id}`,
      message: `The rollback rule matches alarm ${id}, which watches a queue (AWS/SQS): one dead letter would switch the integration off for everyone. Let queue alarms page; roll back on the error rate, which counts given-up deliveries among all events.`,
    });
  for (const child of compositeChildren(alarm, template))
    findings.push(...alarmFindings(child, template, options, seen));
  return findings;
}

/** An alarm whose every metric is an SQS queue metric. */
function isQueueAlarm(alarm: TemplateResource, template: StackTemplate): boolean {
  const metrics = alarmMetrics(alarm);
  return (
    metrics.length > 0 && metrics.every((metric) => knownValue(metric.namespace, template) === 'AWS/SQS')
  );
}

/** The alarms of this stack that a composite alarm's `AlarmRule` names (by reference, name or ARN). */
function compositeChildren(alarm: TemplateResource, template: StackTemplate): TemplateResource[] {
  if (alarm.type !== 'AWS::CloudWatch::CompositeAlarm') return [];
  const rule = alarm.properties.AlarmRule;
  const children = new Set<TemplateResource>();
  for (const resource of template.resources.values())
    if (isAlarm(resource) && resource !== alarm && mentions(rule, resource.logicalId)) children.add(resource);
  const literal = knownValue(rule, template) ?? textOf(rule);
  for (const match of literal.matchAll(/(?:ALARM|OK|INSUFFICIENT_DATA)\(\s*"?([^")]+?)"?\s*\)/g)) {
    const name = match[1] ?? '';
    const named = alarmNamed(
      name.includes(':alarm:') ? name.slice(name.lastIndexOf(':alarm:') + 7) : name,
      template,
    );
    if (named) children.add(named);
  }
  return [...children];
}

/** Whether a template value refers to `logicalId` anywhere inside. */
function mentions(value: unknown, logicalId: string): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (refersTo(value, logicalId, ['Arn'])) return true;
  return Object.values(value as Record<string, unknown>).some((item) => mentions(item, logicalId));
}

/** The literal text pieces of a value, tokens left out. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return '';
  return Object.values(value as Record<string, unknown>)
    .map(textOf)
    .join('');
}
