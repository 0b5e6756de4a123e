import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Folders whose TypeScript the graph covers: everything that ships or runs, tests aside. */
export const SOURCE_FOLDERS = ['lambda', 'infra', 'local', 'bin', 'scripts', 'bench'] as const;

/**
 * Modules that may re-export: the package's entry points and each feature's published entry
 * (`lambda/<feature>/index.ts`). Everywhere else a module exports what it declares.
 */
export function isEntryPoint(file: string): boolean {
  return file === 'lambda/index.ts' || /^lambda\/[a-z-]+\/index\.ts$/.test(file);
}

/** One module of the graph: its static imports (resolved, project files only) and its re-exports. */
export interface ModuleInfo {
  readonly file: string;
  /** Project files this module imports statically, types included (a type import is still a dependency). */
  readonly imports: readonly string[];
  /** Re-export statements, as written: `export … from` and `export { name }` of an imported binding. */
  readonly reexports: readonly string[];
}

/** The source without comments, so that commented-out code and JSDoc examples are not read as imports. */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** The module file a relative specifier names, or `undefined` for a package or a missing file. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const target = resolve(ROOT, dirname(from), specifier);
  return existsSync(target) ? relative(ROOT, target).split('\\').join('/') : undefined;
}

const STATIC_IMPORT = /^\s*(?:import|export)\b[^;'"`]*?\bfrom\s*['"]([^'"]+)['"]/gm;
const SIDE_EFFECT_IMPORT = /^\s*import\s*['"]([^'"]+)['"]/gm;
const REEXPORT_FROM = /^\s*export\b[^;'"`]*?\bfrom\s*['"][^'"]+['"]/gm;
const IMPORTED_NAMES = /^\s*import\s+(?:type\s+)?(?:(\w+)\s*,?\s*)?(?:\{([^}]*)\}|\*\s+as\s+(\w+))?\s*from/gm;
const LOCAL_EXPORT_LIST = /^\s*export\s+(?:type\s+)?\{([^}]*)\}\s*;?\s*$/gm;

function namesIn(list: string): string[] {
  return list
    .split(',')
    .map((part) => part.trim().replace(/^type\s+/, ''))
    .filter(Boolean)
    .map((part) => (part.split(/\s+as\s+/).pop() ?? part).trim());
}

/** What one file imports and re-exports. */
export function readModule(file: string): ModuleInfo {
  const source = withoutComments(readFileSync(join(ROOT, file), 'utf8'));
  const imports = new Set<string>();
  for (const pattern of [STATIC_IMPORT, SIDE_EFFECT_IMPORT])
    for (const [, specifier] of source.matchAll(pattern)) {
      const target = resolveSpecifier(file, specifier as string);
      if (target) imports.add(target);
    }
  const imported = new Set<string>();
  for (const [, defaultName, named, namespace] of source.matchAll(IMPORTED_NAMES)) {
    if (defaultName) imported.add(defaultName);
    if (namespace) imported.add(namespace);
    if (named) for (const name of namesIn(named)) imported.add(name);
  }
  const reexports = [...source.matchAll(REEXPORT_FROM)].map(([statement]) => statement.trim());
  for (const [statement, list] of source.matchAll(LOCAL_EXPORT_LIST))
    if (namesIn(list as string).some((name) => imported.has(name))) reexports.push(statement.trim());
  return { file, imports: [...imports], reexports };
}

/** Every TypeScript module of the source folders that git tracks (or would track). */
export function sourceModules(): ModuleInfo[] {
  const files = execFileSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', ...SOURCE_FOLDERS],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  )
    .split('\n')
    .filter((file) => /\.(ts|mts)$/.test(file) && existsSync(join(ROOT, file)));
  return files.map(readModule);
}

/**
 * The import cycles among `modules`: each strongly connected component of more than one module (or
 * a module importing itself), as one path through it that ends where it starts.
 */
export function importCycles(modules: readonly ModuleInfo[]): string[][] {
  const edges = new Map(modules.map((m) => [m.file, m.imports.filter((i) => i !== undefined)]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next))
        low.set(node, Math.min(low.get(node) as number, index.get(next) as number));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
      onStack.delete(member);
      component.push(member);
      if (member === node) break;
    }
    if (component.length > 1 || (edges.get(node) ?? []).includes(node)) components.push(component.sort());
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return components.map((component) => cyclePath(component, edges));
}

/** One cycle through a strongly connected component, for the failure message. */
function cyclePath(component: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[] {
  const members = new Set(component);
  const start = component[0] as string;
  const path = [start];
  const seen = new Set([start]);
  for (let at = start; ; ) {
    const next = (edges.get(at) ?? []).find((n) => members.has(n) && (n === start || !seen.has(n)));
    if (next === undefined || next === start) return [...path, start];
    path.push(next);
    seen.add(next);
    at = next;
  }
}
