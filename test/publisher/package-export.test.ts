import * as exported from 'tournament-profile-integration/publisher';
import schema from 'tournament-profile-integration/schemas/CheckInToggled.json' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import * as relative from '../../lambda/publisher/index.ts';

describe('the package entry points', () => {
  it('exports the publisher, its errors and the schemas under the package name', () => {
    expect(exported.TournamentEventPublisher).toBe(relative.TournamentEventPublisher);
    expect(exported.PublishValidationError).toBe(relative.PublishValidationError);
    expect(exported.DETAIL_TYPES).toHaveLength(8);
    expect(schema).toEqual(exported.jsonSchemaOf('CheckInToggled'));
  });
});
