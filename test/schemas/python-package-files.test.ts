import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import {
  MAX_DETAIL_BYTES,
  MAX_DETAIL_DEPTH,
  MAX_USERS_PER_EVENT,
} from '../../lambda/shared/contract/limits.ts';
import { PYTHON_SCHEMAS_DIR, renderSchemaFiles } from '../../scripts/generate-schemas.ts';

const PYTHON_CONTRACT = join(PYTHON_SCHEMAS_DIR, '..', 'contract.py');

/** A `NAME = 300_000` constant of the Python package, as a number. */
function pythonConstant(name: string): number {
  const match = readFileSync(PYTHON_CONTRACT, 'utf8').match(new RegExp(`^${name} = ([0-9_]+)$`, 'm'));
  if (!match?.[1]) throw new Error(`${PYTHON_CONTRACT} has no ${name} = <number> line`);
  return Number(match[1].replaceAll('_', ''));
}

describe('the JSON Schemas shipped in the Python hooks package', () => {
  it('are exactly one file per event type', () => {
    // Act
    const shipped = readdirSync(PYTHON_SCHEMAS_DIR).filter((name) => name.endsWith('.json'));
    // Assess
    expect(shipped.sort()).toEqual([...renderSchemaFiles().keys()].sort());
  });

  it.each([...renderSchemaFiles()])(
    '%s is what `npm run schemas` generates today (run it if this fails)',
    (name, expected) => {
      expect(readFileSync(join(PYTHON_SCHEMAS_DIR, name), 'utf8')).toBe(expected);
    },
  );

  it('come with the limits the recording side enforces beyond the schemas', () => {
    // Assess
    expect(pythonConstant('MAX_DETAIL_BYTES')).toBe(MAX_DETAIL_BYTES);
    expect(pythonConstant('MAX_DETAIL_DEPTH')).toBe(MAX_DETAIL_DEPTH);
    expect(pythonConstant('MAX_USERS_PER_EVENT')).toBe(MAX_USERS_PER_EVENT);
    expect(pythonConstant('MAX_SAFE_INTEGER')).toBe(Number.MAX_SAFE_INTEGER);
  });
});
