import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import { requireString } from './aws-json.ts';

import { AwsServiceError } from './errors.ts';

/** The parameter types SSM knows (`ParameterType`). */
export const PARAMETER_TYPES = ['String', 'StringList', 'SecureString'] as const;
/** One of {@link PARAMETER_TYPES}. */
export type ParameterType = (typeof PARAMETER_TYPES)[number];

/** Largest value of a standard-tier parameter, in bytes (4 KB). */
export const MAX_PARAMETER_VALUE_BYTES = 4096;
/** Most standard-tier parameters per account and region. */
export const MAX_PARAMETERS = 10_000;
/** Versions SSM keeps per parameter; older ones are removed as new ones are written. */
export const MAX_PARAMETER_VERSIONS = 100;
/** Longest parameter name (the ARN form included). */
const MAX_NAME_LENGTH = 2048;
const NAME_PATTERN = /^[a-zA-Z0-9_.\-/]+$/;

/** One stored version of a parameter, as `GetParameter` returns it. */
export interface StoredParameter {
  readonly name: string;
  readonly value: string;
  readonly type: string;
  readonly version: number;
  readonly lastModified: Date;
}

/** Told of each written version (the local stack logs a misconfigured flag from it). */
export type ParameterListener = (parameter: StoredParameter) => void;

const validation = (message: string) => new AwsServiceError('ValidationException', message);

/**
 * What a `GetParameter` caller without `WithDecryption` reads for a SecureString: an opaque
 * base64 blob standing for the KMS ciphertext, never the value.
 */
export function ciphertextOf(parameter: StoredParameter): string {
  return Buffer.from(`local-kms:${parameter.name}:${parameter.version}:${parameter.value}`)
    .toString('base64')
    .replace(/=+$/, '');
}

/**
 * The local SSM Parameter Store: String, StringList and SecureString parameters with their last
 * {@link MAX_PARAMETER_VERSIONS} versions, in memory, optionally kept in a JSON file so a
 * persistent local stack remembers the operator's flag across restarts.
 */
export class LocalParameterStore {
  /** Versions per name, oldest first. */
  private readonly parameters = new Map<string, StoredParameter[]>();
  private readonly listeners: ParameterListener[] = [];

  constructor(
    private readonly region: string,
    private readonly account: string,
    private readonly file?: string,
  ) {
    if (file) this.load(file);
  }

  /** Calls `listener` with every version written from now on. */
  onPut(listener: ParameterListener): void {
    this.listeners.push(listener);
  }

  /** The latest version of the parameter, or `undefined`. */
  get(name: string): StoredParameter | undefined {
    return this.parameters.get(name)?.at(-1);
  }

  /**
   * Writes a value; refuses to replace an existing one unless `overwrite`, like SSM. A new
   * parameter written here without a type is a String (the API call itself requires the type).
   */
  put(name: string, value: string, options: { overwrite?: boolean; type?: string } = {}): StoredParameter {
    checkName(name);
    if (Buffer.byteLength(value, 'utf8') > MAX_PARAMETER_VALUE_BYTES)
      throw validation(
        `Standard tier parameters support a maximum parameter value of ${MAX_PARAMETER_VALUE_BYTES} characters.`,
      );
    if (options.type !== undefined && !(PARAMETER_TYPES as readonly string[]).includes(options.type))
      throw validation(
        `1 validation error detected: Value '${options.type}' at 'type' failed to satisfy constraint: ` +
          `Member must satisfy enum value set: [${PARAMETER_TYPES.join(', ')}]`,
      );
    const versions = this.parameters.get(name) ?? [];
    const existing = versions.at(-1);
    if (existing && !options.overwrite)
      throw new AwsServiceError(
        'ParameterAlreadyExists',
        `The parameter ${name} already exists. To overwrite it, set Overwrite to true.`,
      );
    if (!existing && this.parameters.size >= MAX_PARAMETERS)
      throw new AwsServiceError(
        'ParameterLimitExceeded',
        `You have ${MAX_PARAMETERS} parameters, the most a standard tier allows: delete some first.`,
      );
    if (existing && options.type !== undefined && options.type !== existing.type)
      throw new AwsServiceError(
        'HierarchyTypeMismatchException',
        `The parameter ${name} is a ${existing.type}; its type cannot be changed to ${options.type}.`,
      );
    const stored: StoredParameter = {
      name,
      value,
      type: options.type ?? existing?.type ?? 'String',
      version: (existing?.version ?? 0) + 1,
      lastModified: new Date(),
    };
    this.parameters.set(name, [...versions, stored].slice(-MAX_PARAMETER_VERSIONS));
    this.save();
    for (const listener of this.listeners) listener(stored);
    return stored;
  }

  /** Writes a String value only when the parameter does not exist yet (the stack's default flag). */
  putIfAbsent(name: string, value: string): StoredParameter {
    return this.get(name) ?? this.put(name, value);
  }

  /** The ARN of a parameter of this account and region. */
  arnOf(name: string): string {
    return `arn:aws:ssm:${this.region}:${this.account}:parameter/${name.replace(/^\//, '')}`;
  }

  /**
   * `AmazonSSM.GetParameter`: by name, ARN, `name:version` or `name:label`. SecureString values
   * are returned only with `WithDecryption: true`; without it the caller reads ciphertext.
   */
  getParameter(input: Record<string, unknown>): unknown {
    const requested = requireString(input, 'Name');
    const { name, selector } = this.resolve(requested);
    const versions = this.parameters.get(name);
    if (!versions) throw new AwsServiceError('ParameterNotFound', `Parameter ${requested} not found.`);
    let parameter = versions.at(-1) as StoredParameter;
    if (selector !== undefined) {
      if (!/^\d+$/.test(selector))
        throw new AwsServiceError(
          'ParameterVersionNotFound',
          `Systems Manager could not find version ${selector} of ${name}: labels are not served locally, use a version number.`,
        );
      const found = versions.find((v) => v.version === Number(selector));
      if (!found)
        throw new AwsServiceError(
          'ParameterVersionNotFound',
          `Systems Manager could not find version ${selector} of ${name}. Verify the version and try again.`,
        );
      parameter = found;
    }
    const secret = parameter.type === 'SecureString' && input.WithDecryption !== true;
    return {
      Parameter: {
        Name: parameter.name,
        Type: parameter.type,
        Value: secret ? ciphertextOf(parameter) : parameter.value,
        Version: parameter.version,
        ...(selector !== undefined ? { Selector: `:${selector}` } : {}),
        LastModifiedDate: parameter.lastModified.getTime() / 1000,
        ARN: this.arnOf(parameter.name),
        DataType: 'text',
      },
    };
  }

  /** `AmazonSSM.PutParameter`. */
  putParameter(input: Record<string, unknown>): unknown {
    const name = requireString(input, 'Name');
    const value = requireString(input, 'Value');
    if (input.Type !== undefined && typeof input.Type !== 'string')
      throw new AwsServiceError('SerializationException', 'Type must be a string.');
    // "You must specify a parameter type when creating a parameter" (PutParameter API reference).
    if (input.Type === undefined && !this.get(name))
      throw validation('A parameter type is required when you create a parameter.');
    const stored = this.put(name, value, {
      overwrite: input.Overwrite === true,
      ...(input.Type !== undefined ? { type: input.Type as string } : {}),
    });
    return { Version: stored.version, Tier: 'Standard' };
  }

  /** Splits an ARN or a `name:selector` into the stored name and the selector. */
  private resolve(requested: string): { name: string; selector?: string } {
    let name = requested;
    if (name.startsWith('arn:')) {
      const match = /^arn:aws:ssm:([^:]+):(\d{12}):parameter(\/.+)$/.exec(name);
      if (!match || match[1] !== this.region || match[2] !== this.account)
        throw new AwsServiceError('ParameterNotFound', `Parameter ${requested} not found.`);
      const path = match[3] as string;
      // `parameter/name` is the ARN of `name`; `parameter/a/b` is the ARN of `/a/b`.
      name = this.parameters.has(path) ? path : path.slice(1);
    }
    const colon = name.lastIndexOf(':');
    if (colon > 0) return { name: name.slice(0, colon), selector: name.slice(colon + 1) };
    return { name };
  }

  private load(file: string): void {
    let saved: (Omit<StoredParameter, 'lastModified'> & { lastModified: string; history?: unknown })[];
    try {
      saved = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const p of saved) {
      const { history: _history, ...latest } = p;
      this.parameters.set(p.name, [{ ...latest, lastModified: new Date(p.lastModified) }]);
    }
  }

  private save(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const latest = [...this.parameters.values()].map((versions) => versions.at(-1));
    writeFileSync(this.file, JSON.stringify(latest, null, 2));
  }
}

/** Names as SSM accepts them: characters, length, and no reserved `aws`/`ssm` prefix. */
function checkName(name: string): void {
  if (name.length > MAX_NAME_LENGTH)
    throw validation(`Parameter name must be at most ${MAX_NAME_LENGTH} characters.`);
  if (!NAME_PATTERN.test(name))
    throw validation(
      'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore), / (slash).',
    );
  if (/^\/?(aws|ssm)/i.test(name))
    throw validation('Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).');
}
