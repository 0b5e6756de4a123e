import type { parseArgs } from 'node:util';

import { UsageError } from './errors.ts';
import type { Target } from './target.ts';

/** One page of a list, the shape every `--json` list of the CLI prints; `nextCursor` is null on the last page. */
export interface ListPage<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** Where the CLI writes. */
export interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream;
}

/** One `tpi` command: its help and how it runs. */
export interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly options: NonNullable<Parameters<typeof parseArgs>[0]>['options'];
  /** `connect` resolves the target; commands check their arguments first, so usage errors exit 2. */
  run(
    connect: () => Promise<Target>,
    positionals: string[],
    values: Record<string, unknown>,
    io: Io,
  ): Promise<number>;
}

/** `--json`, which every command takes. */
export const JSON_OPTION = { json: { type: 'boolean' } } as const;

/** Writes one line to standard output. */
export const write = (io: Io, text: string) => io.stdout.write(`${text}\n`);

/** Writes `data` as indented JSON. */
export const asJson = (io: Io, data: unknown) => write(io, JSON.stringify(data, null, 2));

/** Every list prints one shape: `{ items, nextCursor }`, `nextCursor` null on the last page. */
export const listJson = <T>(io: Io, page: { items: readonly T[]; nextCursor?: string | null | undefined }) =>
  asJson(io, { items: page.items, nextCursor: page.nextCursor ?? null } satisfies ListPage<T>);

/** An option's whole number ≥ 1, `undefined` when absent. */
export function positiveInt(value: unknown, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${option} must be a whole number ≥ 1, got "${value}"`);
  return n;
}

/** The single positional argument, named `what` in the usage error. */
export function onePositional(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`expected exactly one ${what}`);
  return positionals[0] as string;
}
