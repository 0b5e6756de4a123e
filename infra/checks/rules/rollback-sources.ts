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
 * stack must pass the same test and carry the composite's kinds between them. Children named
 * outside the stack (the platform's alarms) are allowed inside a marked composite alarm: the
 * composite is the stop condition that names them.
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
  const children = compositeChildren(alarm, template);
  const findings = kindFindings(alarm, children, options);
  if (isQueueAlarm(alarm, template))
    findings.push({
      id: `queue-alarm:${id}`,
      message: `The rollback rule matches alarm ${id}, which watches a queue (AWS/SQS): one dead letter would switch the integration off for everyone. Let queue alarms page; roll back on the error rate, which counts given-up deliveries among all events.`,
    });
  for (const child of children) findings.push(...alarmFindings(child, template, options, seen));
  return findings;
}

/** The kinds an alarm's marker names: one, several (a composite over several conditions), or none. */
function kindsOf(alarm: TemplateResource): readonly unknown[] | undefined {
  const kind = alarm.metadata[STOP_CONDITION_MARKER];
  if (kind === undefined) return undefined;
  return Array.isArray(kind) ? kind : [kind];
}

/**
 * The marker's findings: present, every kind one of the plan's, several kinds only on a composite
 * alarm; a composite's marked children carry no kind it does not, and every kind it names is
 * carried by one of its children of the stack, or by itself when all its children are outside it.
 */
function kindFindings(
  alarm: TemplateResource,
  children: readonly TemplateResource[],
  options: CheckOptions,
): Finding[] {
  const id = alarm.logicalId;
  const kinds = kindsOf(alarm);
  const plan = options.stopConditionKinds.join(', ');
  if (kinds === undefined)
    return [
      {
        id: `unmarked:${id}`,
        message: `The rollback rule matches alarm ${id}, which is not marked as one of the rollout's stop conditions: any ALARM of it switches the integration off. If it detects one of ${plan}, mark it (markStopCondition in infra/checks/markers.ts); otherwise take it out of the rule and let it page only.`,
      },
    ];
  const valid =
    kinds.length > 0 && kinds.every((k) => typeof k === 'string' && options.stopConditionKinds.includes(k));
  const composite = alarm.type === 'AWS::CloudWatch::CompositeAlarm';
  if (!valid || (kinds.length > 1 && !composite))
    return [
      {
        id: `unknown-kind:${id}`,
        message: `Alarm ${id} is marked as stop condition ${JSON.stringify(alarm.metadata[STOP_CONDITION_MARKER])}, which is not one of the rollout plan's (${plan})${kinds.length > 1 && !composite ? ', and only a composite alarm may be marked with several' : ''}. Mark it with one of them, or take it out of the rollback rule.`,
      },
    ];
  const carried = new Set(children.flatMap((child) => kindsOf(child) ?? []));
  const foreign = [...carried].filter((k) => !kinds.includes(k));
  // Unmarked children have their own finding; coverage is judged once every child is marked.
  const judged = children.length > 0 && children.every((child) => kindsOf(child) !== undefined);
  const missing = judged ? kinds.filter((k) => !carried.has(k)) : [];
  return [
    ...(foreign.length > 0
      ? [
          {
            id: `kind-mismatch:${id}`,
            message: `Composite alarm ${id} is marked ${JSON.stringify(kinds)} but has children marked ${JSON.stringify(foreign)}: mark the composite with every kind its children detect, or move those children to the composite of their own condition.`,
          },
        ]
      : []),
    ...(missing.length > 0 && foreign.length === 0
      ? [
          {
            id: `kind-not-covered:${id}`,
            message: `Composite alarm ${id} is marked ${JSON.stringify(kinds)}, but none of its children of this stack detects ${JSON.stringify(missing)}: drop those kinds from its marker, or add the alarms that detect them.`,
          },
        ]
      : []),
  ];
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
