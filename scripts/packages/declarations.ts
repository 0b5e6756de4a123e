import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { packageNameOf } from './bundle.ts';
import { type PackageDefinition, ROOT } from './definitions.ts';

/**
 * Type declarations of a package: tsc emits them for the entries' sources, and the package keeps
 * the ones its entries reach, under dist/types/ at their repository paths, with each entry's
 * `dist/<name>.d.ts` re-exporting its module. Relative imports are rewritten from `.ts` to the `.js`
 * that exists next to each declaration; imports of a bundled package point at its declarations,
 * copied under dist/types/vendor/<package>/.
 */

/** `import … from '…'`, `export … from '…'`, `import('…')` in a declaration file. */
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*)(['"])([^'"]+)\2/g;

/**
 * Emits declarations of `sources` (repository paths) into a temporary folder and returns it. The
 * folder is inside node_modules/.cache so that tsc finds the type packages as in the repository.
 */
export function emitDeclarations(sources: readonly string[]): string {
  const cache = join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const out = mkdtempSync(join(cache, 'declarations-'));
  const config = join(out, 'tsconfig.json');
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.json'),
      compilerOptions: {
        noEmit: false,
        declaration: true,
        emitDeclarationOnly: true,
        rootDir: ROOT,
        outDir: join(out, 'emitted'),
      },
      include: [],
      files: sources.map((source) => join(ROOT, source)),
    }),
  );
  execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', config], { stdio: 'inherit' });
  return out;
}

/** Resolves a relative specifier of a declaration file to the declaration file it means. */
function declarationOf(from: string, specifier: string): string {
  const target = join(dirname(from), specifier).replace(/\.(ts|js|mjs)$/, '');
  for (const candidate of [`${target}.d.ts`, join(target, 'index.d.ts')])
    if (existsSync(candidate)) return candidate;
  throw new Error(`${from} imports ${specifier}, which has no declaration file`);
}

/** A relative specifier from one file to another, `./` included, ending in `.js`. */
function specifierTo(from: string, to: string): string {
  const path = relative(dirname(from), to).replace(/\.d\.ts$/, '.js');
  return path.startsWith('.') ? path : `./${path}`;
}

/** A declaration file's relative imports: the file each names and which of its exports it uses (`*`: all). */
function importsOf(file: string, text: string): Map<string, Set<string> | '*'> {
  const uses = new Map<string, Set<string> | '*'>();
  const use = (specifier: string, names: string[] | '*') => {
    if (!specifier.startsWith('.')) return;
    const target = declarationOf(file, specifier);
    const known = uses.get(target);
    if (names === '*' || known === '*') uses.set(target, '*');
    else uses.set(target, new Set([...(known ?? []), ...names]));
  };
  const named = (list: string) =>
    list
      .split(',')
      .map(
        (part) =>
          part
            .trim()
            .replace(/^type\s+/, '')
            .split(/\s+as\s+/)[0] as string,
      )
      .filter(Boolean);
  for (const m of text.matchAll(/\b(?:import|export)\s+(?:type\s+)?\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g))
    use(m[2] as string, named(m[1] as string));
  for (const m of text.matchAll(
    /\b(?:import|export)\s+(?:type\s+)?\*(?:\s+as\s+\w+)?\s*from\s*['"]([^'"]+)['"]/g,
  ))
    use(m[1] as string, '*');
  for (const m of text.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)(?:\.(\w+))?/g))
    use(m[1] as string, m[2] ? [m[2]] : '*');
  return uses;
}

/** `export { … } from '…';` statements of a file made of nothing else (comments aside), or undefined. */
function reexportStatements(text: string): string[] | undefined {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const statements = code.match(/export\s+(?:type\s+)?\{[^}]*\}\s*from\s*['"][^'"]+['"];?/g) ?? [];
  const rest = statements.reduce((left, statement) => left.replace(statement, ''), code);
  return statements.length > 0 && rest.trim() === '' ? statements : undefined;
}

/**
 * A feature's `index.d.ts` (re-exports only) narrowed to the names the package uses: the rest would
 * bring declarations, and type packages, that have nothing to do with the package (the read API's
 * Lambda event types in the read client).
 */
function narrowed(text: string, wanted: Set<string> | '*' | undefined): string {
  const statements = reexportStatements(text);
  if (!statements || wanted === '*' || wanted === undefined) return text;
  const kept = statements.flatMap((statement) => {
    const [, typeOnly, list, from] =
      /export\s+(type\s+)?\{([^}]*)\}\s*from\s*(['"][^'"]+['"])/.exec(statement) ?? [];
    const names = (list ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    const used = names.filter((n) =>
      wanted.has(
        n
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)
          .at(-1) as string,
      ),
    );
    return used.length > 0 ? [`export ${typeOnly ?? ''}{ ${used.join(', ')} } from ${from};`] : [];
  });
  return `${kept.join('\n')}\n`;
}

/** Which names each declaration file reachable from `starts` is asked for, by every file that imports it. */
function wantedNames(starts: readonly string[]): Map<string, Set<string> | '*'> {
  const wanted = new Map<string, Set<string> | '*'>(starts.map((start) => [start, '*'] as const));
  const pending = [...starts];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const [target, names] of importsOf(file, readFileSync(file, 'utf8'))) {
      const known = wanted.get(target);
      wanted.set(target, names === '*' || known === '*' ? '*' : new Set([...(known ?? []), ...names]));
      pending.push(target);
    }
  }
  return wanted;
}

/**
 * Copies the declarations reachable from `starts` (files under `fromRoot`) to `toRoot`, rewriting
 * imports and narrowing re-export files; returns the bare specifiers `bareTarget` redirected.
 */
function copyClosure(
  starts: readonly string[],
  fromRoot: string,
  toRoot: string,
  bareTarget: (specifier: string) => string | undefined,
): Set<string> {
  const wanted = wantedNames(starts);
  const bare = new Set<string>();
  const pending = [...starts];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const destination = join(toRoot, relative(fromRoot, file));
    const source = narrowed(readFileSync(file, 'utf8'), wanted.get(file));
    const text = source.replace(SPECIFIER, (whole, lead, quote, specifier: string) => {
      if (specifier.startsWith('.')) {
        const target = declarationOf(file, specifier);
        pending.push(target);
        return `${lead}${quote}${specifierTo(file, target)}${quote}`;
      }
      const vendored = bareTarget(specifier);
      if (vendored === undefined) return whole;
      bare.add(specifier);
      return `${lead}${quote}${specifierTo(destination, vendored)}${quote}`;
    });
    mkdirSync(dirname(destination), { recursive: true });
    writeFileSync(destination, text);
  }
  return bare;
}

/** Copies a bundled package's declarations for `specifiers`, and its licence, under `vendorDir`. */
function vendor(name: string, specifiers: readonly string[], vendorDir: string): void {
  const installed = join(ROOT, 'node_modules', name);
  const starts = specifiers.map((s) => declarationOf(join(installed, 'x'), `./${s.slice(name.length + 1)}`));
  copyClosure(starts, installed, join(vendorDir, name), () => undefined);
  for (const licence of ['LICENSE', 'LICENSE.md', 'license'])
    if (existsSync(join(installed, licence)))
      copyFileSync(join(installed, licence), join(vendorDir, name, licence));
}

/** Writes the package's declarations from an emitted tree (see {@link emitDeclarations}). */
export function writeDeclarations(definition: PackageDefinition, dir: string, emitted: string): void {
  const executables = new Set<string>(definition.executables ?? []);
  const typed = Object.entries(definition.entries).filter(([name]) => !executables.has(name));
  const fromRoot = join(emitted, 'emitted');
  const typesDir = join(dir, 'dist', 'types');
  const vendorDir = join(typesDir, 'vendor');
  const bundled = new Set<string>(definition.bundled);
  const starts = typed.map(([, source]) => join(fromRoot, source.replace(/\.ts$/, '.d.ts')));
  const bare = copyClosure(starts, fromRoot, typesDir, (specifier) => {
    const name = packageNameOf(specifier);
    return bundled.has(name)
      ? join(vendorDir, name, specifier.slice(name.length + 1), 'index.d.ts')
      : undefined;
  });
  for (const name of bundled) {
    const used = [...bare].filter((specifier) => packageNameOf(specifier) === name);
    if (used.length > 0) vendor(name, used, vendorDir);
  }
  for (const [name, source] of typed)
    writeFileSync(
      join(dir, 'dist', `${name}.d.ts`),
      `export * from './types/${source.replace(/\.ts$/, '.js')}';\n`,
    );
}

/** Removes an emitted tree. */
export const removeEmitted = (emitted: string) => rmSync(emitted, { recursive: true, force: true });
