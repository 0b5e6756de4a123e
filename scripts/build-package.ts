/**
 * `npm run build [-- client|cli|cdk ...]` (and `npm pack -w packages/<name>`, through each
 * package's `prepack`): builds the packages of packages/ from the sources where they live. Node
 * refuses to strip types under node_modules, so each package ships plain ES modules (esbuild, one
 * file per entry, its dependencies left as imports) and declarations emitted by tsc; the CDK
 * construct also ships its functions bundled. See scripts/packages/definitions.ts.
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleEntries } from './packages/bundle.ts';
import { emitDeclarations, removeEmitted, writeDeclarations } from './packages/declarations.ts';
import { PACKAGES, type PackageName, packageDir, ROOT } from './packages/definitions.ts';
import { bundleFunctions } from './packages/functions.ts';

/** What a build writes into a package folder, removed first. */
const BUILT = ['dist', 'functions', 'schemas', 'openapi.json'];

/** Builds the named packages (all by default) into packages/<name>/, or `into` one folder each. */
export async function buildPackages(
  names: readonly PackageName[] = Object.keys(PACKAGES) as PackageName[],
  into: (name: PackageName) => string = packageDir,
): Promise<void> {
  const definitions = names.map((name) => [name, PACKAGES[name]] as const);
  const executables = (d: (typeof definitions)[number][1]): readonly string[] =>
    'executables' in d ? d.executables : [];
  const typedSources = definitions.flatMap(([, d]) =>
    Object.entries(d.entries)
      .filter(([entry]) => !executables(d).includes(entry))
      .map(([, source]) => source),
  );
  const emitted = emitDeclarations(typedSources);
  try {
    for (const [name, definition] of definitions) {
      const dir = into(name);
      for (const built of BUILT) rmSync(join(dir, built), { recursive: true, force: true });
      if (dir !== packageDir(name)) cpSync(join(packageDir(name), 'package.json'), join(dir, 'package.json'));
      await bundleEntries(definition, dir);
      writeDeclarations(definition, dir, emitted);
      for (const [path, source] of Object.entries('copies' in definition ? definition.copies : {}))
        cpSync(join(ROOT, source), join(dir, path), { recursive: true });
      if ('prebuiltFunctions' in definition) await bundleFunctions(dir);
    }
  } finally {
    removeEmitted(emitted);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const names = process.argv.slice(2);
  const unknown = names.filter((name) => !Object.hasOwn(PACKAGES, name));
  if (unknown.length > 0) {
    console.error(`unknown package ${unknown.join(', ')}: one of ${Object.keys(PACKAGES).join(', ')}`);
    process.exit(2);
  }
  const chosen = (names.length > 0 ? names : Object.keys(PACKAGES)) as PackageName[];
  await buildPackages(chosen);
  console.error(`built ${chosen.map((name) => PACKAGES[name].dir).join(', ')}`);
}
