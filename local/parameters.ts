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

/** One stored version of a parameter, as `GetParameter` and `GetParameterHistory` return it. */
export interface StoredParameter {
  readonly name: string;
  readonly value: string;
  readonly type: string;
  readonly version: number;
  readonly lastModified: Date;
  /** The parameter's description as of this version (`Description`). */
  readonly description?: string | undefined;
  /** The identity that wrote this version (`LastModifiedUser`). */
  readonly lastModifiedUser?: string | undefined;
}

/** Most versions one `GetParameterHistory` page returns (`MaxResults`, 1–50). */
export const MAX_HISTORY_RESULTS = 50;
/** Longest description of a parameter. */
const MAX_DESCRIPTION_LENGTH = 1024;

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
  put(
    name: string,
    value: string,
    options: { overwrite?: boolean; type?: string; description?: string; user?: string } = {},
  ): StoredParameter {
    checkName(name);
    if (options.description !== undefined && options.description.length > MAX_DESCRIPTION_LENGTH)
      throw validation(
        `1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to ${MAX_DESCRIPTION_LENGTH}`,
      );
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
      // AWS does not document whether an overwrite without a description keeps the previous one;
      // it is kept here, the case a description-bound record (a forced raise) must survive.
      description: options.description ?? existing?.description,
      lastModifiedUser: options.user ?? this.localUser,
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

  /** Who wrote a version without a caller (the local stack itself): the account's root, as an ARN. */
  private get localUser(): string {
    return `arn:aws:iam::${this.account}:root`;
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

  /** Every stored version of the parameter, oldest first (the last {@link MAX_PARAMETER_VERSIONS}). */
  history(name: string): readonly StoredParameter[] {
    return this.parameters.get(name) ?? [];
  }

  /**
   * `AmazonSSM.GetParameterHistory`: the versions oldest first, `MaxResults` (1–50) a page with a
   * `NextToken`, each with its description and `LastModifiedUser`; SecureString values only with
   * `WithDecryption`.
   */
  getParameterHistory(input: Record<string, unknown>): unknown {
    const requested = requireString(input, 'Name');
    const { name } = this.resolve(requested);
    const versions = this.parameters.get(name);
    if (!versions) throw new AwsServiceError('ParameterNotFound', `Parameter ${requested} not found.`);
    const max = input.MaxResults ?? MAX_HISTORY_RESULTS;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > MAX_HISTORY_RESULTS)
      throw validation(
        `1 validation error detected: Value '${String(max)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${MAX_HISTORY_RESULTS}`,
      );
    const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
    if (!Number.isInteger(start) || start < 0 || start > versions.length)
      throw new AwsServiceError('InvalidNextToken', "The specified token isn't valid.");
    const page = versions.slice(start, start + max);
    const secret = (p: StoredParameter) => p.type === 'SecureString' && input.WithDecryption !== true;
    return {
      Parameters: page.map((p) => ({
        Name: p.name,
        Type: p.type,
        Value: secret(p) ? ciphertextOf(p) : p.value,
        Version: p.version,
        LastModifiedDate: p.lastModified.getTime() / 1000,
        ...(p.lastModifiedUser ? { LastModifiedUser: p.lastModifiedUser } : {}),
        ...(p.description !== undefined ? { Description: p.description } : {}),
        Labels: [],
        Tier: 'Standard',
        Policies: [],
        DataType: 'text',
      })),
      ...(start + max < versions.length ? { NextToken: String(start + max) } : {}),
    };
  }

  /** `AmazonSSM.PutParameter`. */
  putParameter(input: Record<string, unknown>, caller?: string): unknown {
    const name = requireString(input, 'Name');
    const value = requireString(input, 'Value');
    if (input.Type !== undefined && typeof input.Type !== 'string')
      throw new AwsServiceError('SerializationException', 'Type must be a string.');
    // "You must specify a parameter type when creating a parameter" (PutParameter API reference).
    if (input.Type === undefined && !this.get(name))
      throw validation('A parameter type is required when you create a parameter.');
    if (input.Description !== undefined && typeof input.Description !== 'string')
      throw new AwsServiceError('SerializationException', 'Description must be a string.');
    const stored = this.put(name, value, {
      overwrite: input.Overwrite === true,
      ...(input.Type !== undefined ? { type: input.Type as string } : {}),
      ...(input.Description !== undefined ? { description: input.Description as string } : {}),
      ...(caller ? { user: caller } : {}),
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
    type Saved = Omit<StoredParameter, 'lastModified'> & { lastModified: string };
    let saved: (Saved & { history?: Saved[] })[];
    try {
      saved = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const { history, ...latest } of saved) {
      // Files written before versions were kept hold the latest version only.
      const versions = Array.isArray(history) ? history : [latest];
      this.parameters.set(
        latest.name,
        versions.map((v) => ({ ...v, lastModified: new Date(v.lastModified) })),
      );
    }
  }

  private save(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const saved = [...this.parameters.values()].map((versions) => ({
      ...versions.at(-1),
      history: versions,
    }));
    writeFileSync(this.file, JSON.stringify(saved, null, 2));
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
