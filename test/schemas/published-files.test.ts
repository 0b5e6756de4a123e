import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../lambda/shared/contract/event-types.ts';
import { renderSchemaFiles, SCHEMAS_DIR } from '../../scripts/generate-schemas.ts';

describe('the committed schemas/ folder', () => {
  it('holds exactly one file per event type', () => {
    const committed = readdirSync(SCHEMAS_DIR).filter((name) => name.endsWith('.json'));
    expect(committed.sort()).toEqual(EVENT_TYPES.map((t) => `${t.detailType}.json`).sort());
  });

  it.each([...renderSchemaFiles()])(
    '%s is what `npm run schemas` generates today (run it if this fails)',
    (name, expected) => {
      expect(readFileSync(join(SCHEMAS_DIR, name), 'utf8')).toBe(expected);
    },
  );
});
