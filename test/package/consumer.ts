/**
 * Fresh projects that install the packed packages, as their users would: plain Node ESM (run) and
 * TypeScript (type-checked against the shipped declarations only). Written by pack.test.ts.
 */
import { execFile, execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** A package as `npm pack --json` describes its tarball. */
export interface Packed {
  readonly name: string;
  readonly version: string;
  readonly filename: string;
  readonly integrity: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly { readonly path: string }[];
}

type LockEntry = {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  link?: boolean;
};

/** Where Node would find `name` from the lock path `from` (its own node_modules, then each parent's). */
function resolveInLock(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const path = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (packages[path] && !packages[path].link) return path;
    if (!base) return undefined;
    const parent = base.lastIndexOf('/node_modules/');
    base = parent < 0 ? '' : base.slice(0, parent);
  }
}

/**
 * The lock entries an install of `dependencies` needs, taken from the repository's lock: every
 * package the dependencies reach, at the place the repository installed it. With them `npm ci
 * --offline` takes each tarball from npm's cache (filled by the repository's own `npm ci`) instead
 * of asking the registry, and installs exactly what a user's `npm install` of the package would.
 */
export function lockEntriesFor(
  dependencies: Record<string, string>,
  repoRoot: string,
): Record<string, LockEntry> {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const reached: Record<string, LockEntry> = {};
  const visit = (from: string, name: string, optional: boolean) => {
    const path = resolveInLock(lock.packages, from, name);
    if (path === undefined) {
      if (optional) return;
      throw new Error(
        `${name} (needed by ${from || 'the package'}) is not in package-lock.json: run npm install`,
      );
    }
    if (reached[path]) return;
    const entry = lock.packages[path] as LockEntry;
    reached[path] = entry;
    for (const dependency of Object.keys(entry.dependencies ?? {})) visit(path, dependency, false);
    for (const dependency of Object.keys(entry.optionalDependencies ?? {})) visit(path, dependency, true);
  };
  for (const name of Object.keys(dependencies)) visit('', name, false);
  return reached;
}

/** Writes a project that depends on a packed package: its package.json, its lock and `files`. */
export function writeConsumerProject(
  dir: string,
  packed: Packed,
  tarball: string,
  repoRoot: string,
  files: Record<string, string>,
): void {
  mkdirSync(dir, { recursive: true });
  const manifest = JSON.parse(
    execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
  ) as { dependencies?: Record<string, string>; bin?: Record<string, string>; engines?: unknown };
  const spec = `file:${tarball}`;
  const packages = {
    '': { name: 'consumer', dependencies: { [packed.name]: spec } },
    [`node_modules/${packed.name}`]: {
      version: packed.version,
      resolved: spec,
      integrity: packed.integrity,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
    },
    ...lockEntriesFor(manifest.dependencies ?? {}, repoRoot),
  };
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'consumer',
      private: true,
      type: 'module',
      dependencies: { [packed.name]: spec },
    }),
  );
  writeFileSync(
    join(dir, 'package-lock.json'),
    JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }),
  );
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

/** Size of a folder's files: their bytes, and the disk they take (4 KB blocks on most file systems). */
export function folderSize(dir: string): { bytes: number; diskBytes: number; files: number } {
  const total = { bytes: 0, diskBytes: 0, files: 0 };
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const child = join(path, name);
      const stat = lstatSync(child);
      if (stat.isDirectory()) walk(child);
      else {
        total.bytes += stat.size;
        total.diskBytes += stat.blocks * 512;
        total.files += 1;
      }
    }
  };
  walk(dir);
  return total;
}

/** The installed packages of a project, by name (scoped ones included). */
export function installedPackages(dir: string): string[] {
  const modules = join(dir, 'node_modules');
  return readdirSync(modules)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) =>
      name.startsWith('@') ? readdirSync(join(modules, name)).map((n) => `${name}/${n}`) : [name],
    )
    .sort();
}

/** Runs a command in `cwd`, returning stdout; the error carries stdout and stderr. */
export function run(command: string, args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv): string {
  return execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(env ? { env } : {}),
  });
}

/**
 * Runs a command in `cwd` without blocking: what it talks to may be served by this very process
 * (the local stack the tests start), which a synchronous run would starve.
 */
export async function runAsync(
  command: string,
  args: readonly string[],
  cwd: string,
  env?: NodeJS.ProcessEnv,
): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(command, [...args], { cwd, encoding: 'utf8', ...(env ? { env } : {}) });
}
