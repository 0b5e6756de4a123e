import { deployedParts, intrinsic } from './deployed-string.ts';
import { isText, maxLength, merged, type Part, text, Unmeasurable } from './parts.ts';
import type { StackTemplate } from './stack-template.ts';

/**
 * Secrets Manager keeps secret values of up to 65,536 bytes (Secrets Manager quotas,
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html).
 */
const SECRET_VALUE_MAX = 65_536;
/**
 * Advanced Parameter Store parameters hold up to 8 KB; standard ones 4 KB ("Standard tier parameters
 * support a maximum parameter value of 4096 characters", SSM's PutParameter error; tiers on
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html).
 */
const PARAMETER_VALUE_MAX = 8_192;
/** `GenerateSecretString` makes 32 characters unless told otherwise. */
const GENERATED_SECRET_LENGTH = 32;

/** What a length counts: characters (EventBridge patterns) or UTF-8 bytes (Lambda environments). */
export type LengthUnit = 'characters' | 'bytes';

/**
 * The most characters (or bytes) `value` has once CloudFormation resolved its intrinsics and
 * serialized it as compact JSON (no whitespace: the least any serializer writes, so a length over a
 * limit here is over it deployed too). An intrinsic function object stands for the string it
 * resolves to.
 */
export function deployedJsonLength(
  value: unknown,
  template: StackTemplate,
  unit: LengthUnit = 'characters',
): number {
  const measure = (item: unknown) => deployedJsonLength(item, template, unit);
  if (value === null || typeof value === 'number' || typeof value === 'boolean')
    return JSON.stringify(value).length;
  if (typeof value === 'string' || intrinsic(value)[0])
    return quotedLength(deployedValue(value, template), unit);
  if (Array.isArray(value))
    return 2 + value.reduce<number>((sum, item, i) => sum + (i ? 1 : 0) + measure(item), 0);
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const key = (k: string) => quotedLength([text(k)], unit);
    return 2 + entries.reduce((sum, [k, item], i) => sum + (i ? 1 : 0) + key(k) + 1 + measure(item), 0);
  }
  throw new Unmeasurable(`a ${typeof value} value cannot be measured`);
}

/**
 * A string value as deployed, dynamic references (`{{resolve:...}}`) included: CloudFormation puts
 * the referenced secret or parameter value in their place, so they count at that value's length.
 */
export function deployedValue(value: unknown, template: StackTemplate): Part[] {
  return resolveDynamicReferences(merged(deployedParts(value, template)), template);
}

/** Length of a JSON string literal: quotes plus escaped text; unknown values need no escaping. */
function quotedLength(parts: readonly Part[], unit: LengthUnit): number {
  const escaped = (value: string) => {
    const literal = JSON.stringify(value);
    return (unit === 'bytes' ? Buffer.byteLength(literal, 'utf8') : literal.length) - 2;
  };
  return 2 + parts.reduce((sum, part) => sum + (isText(part) ? escaped(part.text) : part.max), 0);
}

function resolveDynamicReferences(parts: readonly Part[], template: StackTemplate): Part[] {
  const out: Part[] = [];
  let reference: Part[] | undefined;
  for (const part of parts) {
    if (!isText(part)) {
      (reference ?? out).push(part);
      continue;
    }
    let rest = part.text;
    while (rest) {
      const marker = reference ? '}}' : '{{resolve:';
      const at = rest.indexOf(marker);
      if (at < 0) {
        (reference ?? out).push(text(rest));
        break;
      }
      if (!reference) {
        out.push(text(rest.slice(0, at)));
        reference = [];
      } else {
        reference.push(text(rest.slice(0, at)));
        out.push(referencedValue(merged(reference), template));
        reference = undefined;
      }
      rest = rest.slice(at + marker.length);
    }
  }
  if (reference) out.push(text('{{resolve:'), ...reference);
  return merged(out);
}

/** The value a dynamic reference (`service:...` inside `{{resolve:...}}`) puts in its place. */
function referencedValue(reference: readonly Part[], template: StackTemplate): Part {
  const first = reference[0];
  const service = first && isText(first) ? first.text.split(':')[0] : undefined;
  const source = reference.find((part) => !isText(part) && part.source);
  const resource =
    source && !isText(source) ? template.resources.get(source.source?.logicalId ?? '') : undefined;
  const what = `{{resolve:${service ?? '?'}:...}}`;
  if (service === 'secretsmanager') return { what, max: secretLength(resource?.properties) };
  if (service === 'ssm' || service === 'ssm-secure') {
    const literal = resource?.properties.Value;
    return {
      what,
      max: typeof literal === 'string' ? JSON.stringify(literal).length - 2 : PARAMETER_VALUE_MAX,
    };
  }
  return { what, max: maxLength(reference) };
}

/**
 * A secret the stack generates is `PasswordLength` characters; with punctuation allowed, `"` and
 * `\` may each take two characters once JSON-escaped, so such a secret counts double.
 */
function secretLength(properties: Readonly<Record<string, unknown>> | undefined): number {
  const generate = properties?.GenerateSecretString as Record<string, unknown> | undefined;
  if (typeof properties?.SecretString === 'string') return JSON.stringify(properties.SecretString).length - 2;
  if (!generate || generate.SecretStringTemplate !== undefined) return SECRET_VALUE_MAX;
  const length = Number(generate.PasswordLength ?? GENERATED_SECRET_LENGTH);
  return generate.ExcludePunctuation === true ? length : 2 * length;
}
