import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTRACT_DOC, updatedContractDoc } from '../../scripts/contract-doc.ts';

describe('docs/contract.md', () => {
  it('shows the event types and examples exactly as declared (run `npm run docs` after a change)', () => {
    const current = readFileSync(CONTRACT_DOC, 'utf8');
    expect(updatedContractDoc(current)).toBe(current);
  });
});
