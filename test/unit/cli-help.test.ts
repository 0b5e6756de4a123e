import { describe, expect, it } from 'vitest';
import { DETAIL_TYPES } from '../../lambda/shared/contract/event-types.ts';
import { tpi as tpiAt } from '../support/local-stack.ts';

/** `tpi ARGS`, in process: help is printed before any target is reached, so none needs to run. */
const tpi = (...args: string[]) => tpiAt({ endpoint: 'http://127.0.0.1:9' }, ...args);

describe('tpi COMMAND --help', () => {
  it.each([
    ['stats', ['--game G', '--games', '--token JWT', '--json', 'win streak']],
    ['feed', ['--limit N', '--cursor C', '--type T', '--token JWT', '--json', 'newest first']],
  ])('explains what %s reads and every option it takes, not only its syntax', async (command, explained) => {
    // Act
    const { code, stdout } = await tpi(command, '--help');

    // Assess
    expect(code).toBe(0);
    for (const text of explained) expect(stdout).toContain(text);
  });

  it('lists the event types tpi feed --type accepts', async () => {
    const { stdout } = await tpi('feed', '--help');
    for (const type of DETAIL_TYPES) expect(stdout).toContain(type);
  });
});
