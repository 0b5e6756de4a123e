import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';
import { type PackageDefinition, ROOT } from './definitions.ts';

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
export const packageNameOf = (specifier: string): string =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

const isBuiltin = (specifier: string) =>
  specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0] as string);

/**
 * Every bare import stays an import of an installed package, except the bundled ones; with
 * `pureModules`, the repository's own modules (not the entries) are marked free of side effects.
 */
function resolution(definition: PackageDefinition): Plugin {
  const bundled = new Set<string>(definition.bundled);
  return {
    name: 'package-resolution',
    setup(esbuild) {
      esbuild.onResolve({ filter: /^[^./]/ }, (args) => {
        if (isBuiltin(args.path) || bundled.has(packageNameOf(args.path))) return undefined;
        return { path: args.path, external: true };
      });
      if (definition.pureModules)
        esbuild.onResolve({ filter: /^\.\.?\// }, (args) =>
          args.kind === 'entry-point'
            ? undefined
            : { path: resolve(dirname(args.importer), args.path), sideEffects: false },
        );
    },
  };
}

/** The installed packages the built files import. */
function importedPackages(metafile: Metafile): Set<string> {
  const imported = new Set<string>();
  for (const output of Object.values(metafile.outputs))
    for (const { path, external } of output.imports)
      if (external && !isBuiltin(path)) imported.add(packageNameOf(path));
  return imported;
}

/**
 * Fails the build when the built files import a package the package.json does not declare (a
 * consumer would not have it) or declare one they never import (a consumer would install it for
 * nothing).
 */
function checkDeclared(dir: string, imported: Set<string>): void {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const declared = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ]);
  const undeclared = [...imported].filter((name) => !declared.has(name));
  const unused = [...declared].filter((name) => !imported.has(name));
  if (undeclared.length > 0 || unused.length > 0)
    throw new Error(
      `${manifest.name}: the built files import ${[...imported].sort().join(', ')}; ` +
        `declare ${undeclared.join(', ') || 'nothing more'} and remove ${unused.join(', ') || 'nothing'} in ${dir}/package.json`,
    );
}

/**
 * Builds the package's entries into `dir/dist`: ES modules for Node 20 and later, shared code in
 * chunks, readable (not minified) and without source maps, the package's dependencies left as
 * imports. Executables get a shebang and keep the AWS SDK's Node version warning quiet.
 */
export async function bundleEntries(definition: PackageDefinition, dir: string): Promise<void> {
  const executables = new Set<string>(definition.executables ?? []);
  const options: BuildOptions & { metafile: true } = {
    absWorkingDir: ROOT,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    metafile: true,
    logLevel: 'warning',
    plugins: [resolution(definition)],
    // The CDK construct finds its functions' bundles next to dist/ (infra/prebuilt-functions.ts).
    define: definition.prebuiltFunctions ? { __PREBUILT_FUNCTIONS__: JSON.stringify('../functions') } : {},
  };
  const libraries = Object.entries(definition.entries).filter(([name]) => !executables.has(name));
  const commands = Object.entries(definition.entries).filter(([name]) => executables.has(name));
  const imported = new Set<string>();
  const library = await build({
    ...options,
    entryPoints: Object.fromEntries(libraries),
    outdir: join(dir, 'dist'),
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
  });
  for (const name of importedPackages(library.metafile)) imported.add(name);
  for (const [name, source] of commands) {
    const command = await build({
      ...options,
      entryPoints: { [name]: source },
      outdir: join(dir, 'dist'),
      banner: {
        js: '#!/usr/bin/env node\nprocess.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";',
      },
    });
    for (const used of importedPackages(command.metafile)) imported.add(used);
  }
  checkDeclared(dir, imported);
}
