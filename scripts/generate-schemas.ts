import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EVENT_TYPES } from '../lambda/shared/contract/event-types.ts';
import { jsonSchemaOf } from '../lambda/shared/contract/json-schema.ts';

/** Where the published JSON Schemas live in the repository. */
export const SCHEMAS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas');

/** The copy shipped inside the Python hooks package (`tournament_profile/schemas`), byte for byte the same. */
export const PYTHON_SCHEMAS_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'clients',
  'python',
  'src',
  'tournament_profile',
  'schemas',
);

/**
 * The published schema files, by file name: one `<DetailType>.json` per event type, two-space
 * indented with a final newline, so regenerating an unchanged contract changes no byte.
 */
export function renderSchemaFiles(): Map<string, string> {
  return new Map(
    EVENT_TYPES.map((t) => [
      `${t.detailType}.json`,
      `${JSON.stringify(jsonSchemaOf(t.detailType), null, 2)}\n`,
    ]),
  );
}

/** Writes every schema file and removes `.json` files no event type produces any more. */
export function writeSchemaFiles(dir: string = SCHEMAS_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  const files = renderSchemaFiles();
  for (const name of readdirSync(dir))
    if (name.endsWith('.json') && !files.has(name)) rmSync(join(dir, name));
  for (const [name, content] of files) writeFileSync(join(dir, name), content);
  return [...files.keys()];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const written = writeSchemaFiles();
  console.log(`wrote ${written.length} schemas to ${SCHEMAS_DIR}: ${written.join(', ')}`);
  writeSchemaFiles(PYTHON_SCHEMAS_DIR);
  console.log(`wrote the same ${written.length} schemas to ${PYTHON_SCHEMAS_DIR}`);
}
