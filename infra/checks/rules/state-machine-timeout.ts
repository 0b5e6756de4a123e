import { alarmMetrics, refersTo } from '../alarm-metrics.ts';
import type { CheckRule, Finding } from '../check-rule.ts';
import { intrinsic, knownValue } from '../deployed-string.ts';
import type { StackTemplate, TemplateResource } from '../stack-template.ts';

/**
 * A state machine that an alarm watches for `ExecutionsTimedOut` has a `TimeoutSeconds` at the top
 * of its definition. Without it an execution runs until the standard-workflow maximum of one year,
 * so "ExecutionsTimedOut | The number of executions that time out for any reason" stays at zero and
 * the alarm never fires: "TimeoutSeconds (Optional) The maximum number of seconds an execution of
 * the state machine can run. If it runs longer than the specified time, the execution fails with a
 * States.Timeout Error Name." (State machine structure,
 * https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html; metrics on
 * https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html).
 */
export const stateMachineTimeout: CheckRule = {
  id: 'StateMachineTimeout',
  resourceType: 'AWS::StepFunctions::StateMachine',
  explanation:
    'An execution times out only at the top-level TimeoutSeconds of its definition (https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html); without one, an ExecutionsTimedOut alarm watches a metric that never moves.',
  check(machine, template) {
    const watchers = timeoutAlarms(machine, template);
    if (watchers.length === 0) return [];
    const alarms = watchers.map((alarm) => alarm.logicalId).join(', ');
    const definition = definitionOf(machine);
    if (typeof definition === 'string') return [unreadable(definition, alarms)];
    const timeout = definition.TimeoutSeconds;
    if (typeof timeout === 'number' && Number.isInteger(timeout) && timeout > 0) return [];
    return [
      {
        message: `${alarms} alarms on this state machine's ExecutionsTimedOut, but its definition has no top-level TimeoutSeconds: an execution can run for a year and the alarm never fires. Set the machine's timeout (CDK: \`timeout\` on the StateMachine) to the longest a healthy execution takes.`,
      },
    ];
  },
};

function unreadable(reason: string, alarms: string): Finding {
  return {
    id: 'definition-unreadable',
    message: `${alarms} alarms on this state machine's ExecutionsTimedOut, but its definition cannot be read at synth (${reason}), so its top-level TimeoutSeconds cannot be checked. Define it inline, or acknowledge this finding saying where the timeout is set.`,
  };
}

/** The alarms of the stack on this machine's `AWS/States` `ExecutionsTimedOut`. */
function timeoutAlarms(machine: TemplateResource, template: StackTemplate): TemplateResource[] {
  const name = knownValue(machine.properties.StateMachineName, template);
  return [...template.resources.values()].filter((alarm) =>
    alarmMetrics(alarm).some((metric) => {
      if (knownValue(metric.namespace, template) !== 'AWS/States') return false;
      if (knownValue(metric.metricName, template) !== 'ExecutionsTimedOut') return false;
      const arn = metric.dimensions.get('StateMachineArn');
      if (refersTo(arn, machine.logicalId, ['Arn'])) return true;
      const literal = knownValue(arn, template);
      return name !== undefined && (literal?.endsWith(`:stateMachine:${name}`) ?? false);
    }),
  );
}

/** The definition as an object, or why it cannot be read. */
function definitionOf(machine: TemplateResource): Record<string, unknown> | string {
  const p = machine.properties;
  if (p.Definition && typeof p.Definition === 'object') return p.Definition as Record<string, unknown>;
  if (p.DefinitionS3Location !== undefined) return 'it is read from S3 (DefinitionS3Location)';
  if (p.DefinitionString === undefined) return 'it has no definition';
  try {
    const parsed: unknown = JSON.parse(withPlaceholders(p.DefinitionString));
    return parsed && typeof parsed === 'object'
      ? (parsed as Record<string, unknown>)
      : 'it is not a JSON object';
  } catch (error) {
    return `it is not JSON once its tokens are set aside: ${(error as Error).message}`;
  }
}

/**
 * The definition text with every value CloudFormation fills in (`Fn::Join` items, `${...}` of
 * `Fn::Sub`) replaced by a placeholder that keeps the JSON valid: a letter inside a JSON string,
 * `null` outside one. Only the structure matters here, not the values.
 */
function withPlaceholders(definition: unknown): string {
  let out = '';
  let inString = false;
  for (const segment of segments(definition)) {
    if (segment === PLACEHOLDER) {
      out += inString ? 'x' : 'null';
      continue;
    }
    for (let i = 0; i < segment.length; i++) {
      const c = segment[i];
      if (c === '\\' && inString) {
        out += c + (segment[i + 1] ?? '');
        i++;
        continue;
      }
      if (c === '"') inString = !inString;
      out += c;
    }
  }
  return out;
}

const PLACEHOLDER = Symbol('placeholder');

function segments(value: unknown): (string | typeof PLACEHOLDER)[] {
  if (typeof value === 'string') return [value];
  const [fn, args] = intrinsic(value);
  if (fn === 'Fn::Join') {
    const [separator, items] = args as [string, unknown];
    if (!Array.isArray(items)) return [PLACEHOLDER];
    return items.flatMap((item, i) => (i === 0 ? segments(item) : [separator, ...segments(item)]));
  }
  if (fn === 'Fn::Sub') {
    const body = typeof args === 'string' ? args : (args as [string])[0];
    return body.split(/\$\{[^}!]+\}/).flatMap((piece, i) => (i === 0 ? [piece] : [PLACEHOLDER, piece]));
  }
  return [PLACEHOLDER];
}
