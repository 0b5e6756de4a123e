import { environmentParts, generatedName, NAMED_TYPES } from './deployed-names.ts';
import { isText, joined, knownText, maxLength, merged, type Part, text, Unmeasurable } from './parts.ts';
import type { StackTemplate, TemplateResource } from './stack-template.ts';

/**
 * A template value (a string, or an intrinsic function over strings) as it will be deployed: text
 * where the synth knows it, bounded unknowns where CloudFormation fills it in. Throws
 * {@link Unmeasurable} for what cannot be bounded (parameters, imports, resource types not in
 * {@link NAMED_TYPES}).
 */
export function deployedParts(value: unknown, template: StackTemplate): Part[] {
  if (typeof value === 'string') return [text(value)];
  if (typeof value === 'number' || typeof value === 'boolean') return [text(String(value))];
  const [fn, args] = intrinsic(value);
  switch (fn) {
    case 'Ref':
      return refParts(String(args), template);
    case 'Fn::GetAtt':
      return getAttParts(args, template);
    case 'Fn::Join': {
      const [separator, list] = args as [string, unknown];
      return joined(deployedList(list, template), separator);
    }
    case 'Fn::Select': {
      const [index, list] = args as [number | string, unknown];
      const item = deployedList(list, template)[Number(index)];
      if (!item) throw new Unmeasurable(`Fn::Select index ${index} is out of its list`);
      return item;
    }
    case 'Fn::Sub':
      return subParts(args, template);
    case 'Fn::If': {
      const [, whenTrue, whenFalse] = args as [string, unknown, unknown];
      const max = Math.max(
        maxLength(deployedParts(whenTrue, template)),
        maxLength(deployedParts(whenFalse, template)),
      );
      return [{ what: 'Fn::If', max }];
    }
    case 'Fn::Base64':
      return [{ what: 'Fn::Base64', max: 4 * Math.ceil(maxLength(deployedParts(args, template)) / 3) }];
    default:
      throw new Unmeasurable(`${fn ?? JSON.stringify(value)} cannot be measured before deploy`);
  }
}

/** A list-valued template expression (a literal array, or `Fn::Split`) as deployed strings. */
export function deployedList(value: unknown, template: StackTemplate): Part[][] {
  if (Array.isArray(value)) return value.map((item) => deployedParts(item, template));
  const [fn, args] = intrinsic(value);
  if (fn !== 'Fn::Split')
    throw new Unmeasurable(`${fn ?? 'value'} does not give a list that can be measured`);
  const [delimiter, source] = args as [string, unknown];
  return split(merged(deployedParts(source, template)), delimiter);
}

/**
 * Splits text pieces at `delimiter`. Unknown pieces are generated names, ids and pseudo parameters:
 * letters, digits and hyphens only, so they never contain a delimiter without those.
 */
function split(parts: readonly Part[], delimiter: string): Part[][] {
  if (/[A-Za-z0-9-]/.test(delimiter) && !parts.every(isText))
    throw new Unmeasurable(`Fn::Split on "${delimiter}" over values known only at deploy time`);
  const pieces: Part[][] = [[]];
  for (const part of parts) {
    if (!isText(part)) {
      pieces.at(-1)?.push(part);
      continue;
    }
    const [first = '', ...rest] = part.text.split(delimiter);
    pieces.at(-1)?.push(text(first));
    for (const piece of rest) pieces.push([text(piece)]);
  }
  return pieces.map(merged);
}

/** The function name and arguments of an intrinsic (`{ "Fn::X": args }`), or nothing. */
export function intrinsic(value: unknown): [string | undefined, unknown] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [undefined, undefined];
  const keys = Object.keys(value);
  const key = keys[0];
  if (keys.length !== 1 || !key || (key !== 'Ref' && !key.startsWith('Fn::'))) return [undefined, undefined];
  return [key, (value as Record<string, unknown>)[key]];
}

function refParts(target: string, template: StackTemplate): Part[] {
  const env = environmentParts(template.environment);
  const pseudo: Record<string, () => Part[]> = {
    'AWS::StackName': () => [env.stackName],
    'AWS::Region': () => [env.region],
    'AWS::AccountId': () => [env.account],
    'AWS::Partition': () => [env.partition],
    'AWS::URLSuffix': () => [env.urlSuffix],
    'AWS::StackId': () => [
      text('arn:'),
      env.partition,
      text(':cloudformation:'),
      env.region,
      text(':'),
      env.account,
      text(':stack/'),
      env.stackName,
      { what: 'stack id', max: 37 },
    ],
  };
  const fromPseudo = pseudo[target];
  if (fromPseudo) return merged(fromPseudo());
  const { resource, type } = namedResource(target, template);
  return merged(type.ref(physicalName(resource, template), env).map((part) => withSource(part, target)));
}

function getAttParts(args: unknown, template: StackTemplate): Part[] {
  // The string form is "LogicalId.Attribute", where the attribute may itself contain dots.
  const [logicalId, attribute] = (
    typeof args === 'string' ? [args.slice(0, args.indexOf('.')), args.slice(args.indexOf('.') + 1)] : args
  ) as [string, string];
  const { resource, type } = namedResource(logicalId, template);
  const shape = type.attributes[attribute];
  if (!shape)
    throw new Unmeasurable(`${resource.type}.${attribute} has no length in infra/checks/deployed-names.ts`);
  const env = environmentParts(template.environment);
  return merged(
    shape(physicalName(resource, template), env).map((part) => withSource(part, logicalId, attribute)),
  );
}

function namedResource(logicalId: string, template: StackTemplate) {
  const resource = template.resources.get(logicalId);
  if (!resource)
    throw new Unmeasurable(
      `${logicalId} is a parameter or not in this stack: its value is unknown before deploy`,
    );
  const type = NAMED_TYPES[resource.type];
  if (!type)
    throw new Unmeasurable(`${resource.type} (${logicalId}) has no entry in infra/checks/deployed-names.ts`);
  return { resource, type };
}

/** The resource's name: its name property as deployed, or the name CloudFormation generates. */
export function physicalName(resource: TemplateResource, template: StackTemplate): Part[] {
  const type = NAMED_TYPES[resource.type];
  if (!type) throw new Unmeasurable(`${resource.type} has no entry in infra/checks/deployed-names.ts`);
  const property = type.nameProperty ? resource.properties[type.nameProperty] : undefined;
  if (property !== undefined) return deployedParts(property, template);
  return [generatedName(resource.logicalId, type, environmentParts(template.environment))];
}

function withSource(part: Part, logicalId: string, attribute?: string): Part {
  if (isText(part) || part.source) return part;
  return { ...part, source: attribute ? { logicalId, attribute } : { logicalId } };
}

/** `Fn::Sub` with `${Name}`, `${Name.Attribute}` and its own variables. */
function subParts(args: unknown, template: StackTemplate): Part[] {
  const [body, variables = {}] = (typeof args === 'string' ? [args] : args) as [
    string,
    Record<string, unknown>?,
  ];
  const parts: Part[] = [];
  let rest = body;
  for (let match = /\$\{([^}!]+)\}/.exec(rest); match; match = /\$\{([^}!]+)\}/.exec(rest)) {
    parts.push(text(rest.slice(0, match.index)));
    const name = match[1] ?? '';
    if (name in variables) parts.push(...deployedParts(variables[name], template));
    else if (name.includes('.') && !name.startsWith('AWS::')) parts.push(...getAttParts(name, template));
    else parts.push(...refParts(name, template));
    rest = rest.slice(match.index + match[0].length);
  }
  parts.push(text(rest));
  return merged(parts);
}

/** The deployed text of a value, when the synth knows all of it. */
export function knownValue(value: unknown, template: StackTemplate): string | undefined {
  try {
    return knownText(deployedParts(value, template));
  } catch (error) {
    if (error instanceof Unmeasurable) return undefined;
    throw error;
  }
}
