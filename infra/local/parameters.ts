import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AwsServiceError, requireString } from './aws-json.ts';

/** One stored parameter, as `GetParameter` returns it. */
export interface StoredParameter {
  readonly name: string;
  readonly value: string;
  readonly type: string;
  readonly version: number;
  readonly lastModified: Date;
}

/**
 * The local SSM Parameter Store: String parameters with versions, in memory, optionally kept in a
 * JSON file so a persistent local stack remembers the operator's flag across restarts.
 */
export class LocalParameterStore {
  private readonly parameters = new Map<string, StoredParameter>();

  constructor(
    private readonly region: string,
    private readonly account: string,
    private readonly file?: string,
  ) {
    if (file) {
      try {
        const saved = JSON.parse(readFileSync(file, 'utf8')) as (Omit<StoredParameter, 'lastModified'> & {
          lastModified: string;
        })[];
        for (const p of saved) this.parameters.set(p.name, { ...p, lastModified: new Date(p.lastModified) });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }

  /** The parameter, or `undefined`. */
  get(name: string): StoredParameter | undefined {
    return this.parameters.get(name);
  }

  /** Writes a value; refuses to replace an existing one unless `overwrite`, like SSM. */
  put(name: string, value: string, options: { overwrite?: boolean; type?: string } = {}): StoredParameter {
    const existing = this.parameters.get(name);
    if (existing && !options.overwrite)
      throw new AwsServiceError(
        'ParameterAlreadyExists',
        `The parameter ${name} already exists. To overwrite it, set Overwrite to true.`,
      );
    const stored: StoredParameter = {
      name,
      value,
      type: options.type ?? existing?.type ?? 'String',
      version: (existing?.version ?? 0) + 1,
      lastModified: new Date(),
    };
    this.parameters.set(name, stored);
    this.save();
    return stored;
  }

  /** Writes a value only when the parameter does not exist yet (the stack's default flag). */
  putIfAbsent(name: string, value: string): StoredParameter {
    return this.parameters.get(name) ?? this.put(name, value);
  }

  /** `AmazonSSM.GetParameter`. */
  getParameter(input: Record<string, unknown>): unknown {
    const name = requireString(input, 'Name');
    const parameter = this.parameters.get(name);
    if (!parameter) throw new AwsServiceError('ParameterNotFound', `Parameter ${name} not found.`);
    return {
      Parameter: {
        Name: parameter.name,
        Type: parameter.type,
        Value: parameter.value,
        Version: parameter.version,
        LastModifiedDate: parameter.lastModified.getTime() / 1000,
        ARN: `arn:aws:ssm:${this.region}:${this.account}:parameter/${parameter.name.replace(/^\//, '')}`,
        DataType: 'text',
      },
    };
  }

  /** `AmazonSSM.PutParameter`. */
  putParameter(input: Record<string, unknown>): unknown {
    const name = requireString(input, 'Name');
    const value = requireString(input, 'Value');
    const type = typeof input.Type === 'string' ? input.Type : undefined;
    const stored = this.put(name, value, { overwrite: input.Overwrite === true, type });
    return { Version: stored.version, Tier: 'Standard' };
  }

  private save(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, JSON.stringify([...this.parameters.values()], null, 2));
  }
}
