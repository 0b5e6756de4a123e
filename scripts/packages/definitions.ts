/**
 * The packages this repository publishes, along what people install: each is built from the
 * sources where they live (lambda/, bin/, infra/) into packages/<name>/, by
 * scripts/build-package.ts. Their package.json files are kept in packages/<name>/.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** How one package is built. */
export interface PackageDefinition {
  /** The package's folder, relative to the root. */
  readonly dir: string;
  /**
   * `dist/<name>.js` built from each source module, with `dist/<name>.d.ts` declaring it (the
   * `exports` map of the package's package.json points at both).
   */
  readonly entries: Readonly<Record<string, string>>;
  /** Entries that are commands (`bin`): a shebang and no declarations. */
  readonly executables?: readonly string[];
  /**
   * Packages bundled into dist/ instead of installed: small, used through a few functions, and
   * large to install (zod is 6 MB installed, a few KB bundled). Their declarations, which the
   * package's own declarations need, are copied under dist/types/vendor/ with their licence.
   */
  readonly bundled: readonly string[];
  /**
   * Treat the repository's modules as free of side effects when loaded, so that modules the entry
   * imports for one constant do not bring the packages they import along (the CLI reads the local
   * stack's port from local/stack.ts, which imports the whole local stack).
   */
  readonly pureModules?: boolean;
  /** Files copied into the package: its path → the repository's path. */
  readonly copies?: Readonly<Record<string, string>>;
  /** Bundle every Lambda function of the stack into `functions/` (the CDK construct). */
  readonly prebuiltFunctions?: boolean;
}

/** The packages, by short name (`npm run build -- client`). */
export const PACKAGES = {
  /** Publishing and reading: what a service of the platform installs. */
  client: {
    dir: 'packages/client',
    entries: {
      index: 'lambda/index.ts',
      publisher: 'lambda/publisher/index.ts',
      reader: 'lambda/client/index.ts',
    },
    bundled: ['zod'],
    copies: { schemas: 'schemas', 'openapi.json': 'docs/openapi.json' },
  },
  /** The operator CLI, `tpi`. */
  cli: {
    dir: 'packages/cli',
    entries: { index: 'bin/cli/main.ts', tpi: 'bin/tpi.ts' },
    executables: ['tpi'],
    bundled: ['zod'],
    pureModules: true,
  },
  /** The CDK stack, with every function bundled in advance: no esbuild or sources at synth. */
  cdk: {
    dir: 'packages/cdk',
    entries: { index: 'infra/stack.ts', config: 'infra/config.ts' },
    bundled: ['zod'],
    pureModules: true,
    prebuiltFunctions: true,
  },
} as const satisfies Record<string, PackageDefinition>;

/** A package's short name. */
export type PackageName = keyof typeof PACKAGES;

/** A package's folder, absolute. */
export const packageDir = (name: PackageName): string => join(ROOT, PACKAGES[name].dir);
