import { describe, expect, it } from 'vitest';
import { type DetailType, EVENT_TYPES } from '../../lambda/shared/contract/event-types.ts';
import { jsonSchemaOf, registrySchemaOf } from '../../lambda/shared/contract/json-schema.ts';

/** The keywords of an OpenAPI 3.0 Schema Object; anything else would be refused or ignored by the registry. */
const OPENAPI_30_SCHEMA_KEYWORDS = new Set([
  'title',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxProperties',
  'minProperties',
  'required',
  'enum',
  'type',
  'allOf',
  'oneOf',
  'anyOf',
  'not',
  'items',
  'properties',
  'additionalProperties',
  'description',
  'format',
  'default',
  'nullable',
  'discriminator',
  'readOnly',
  'writeOnly',
  'example',
  'externalDocs',
  'deprecated',
  '$ref',
]);

type Schema = Record<string, unknown>;

/** Every keyword used in a schema object outside the OpenAPI 3.0 vocabulary (extensions `x-` allowed). */
function foreignKeywords(schema: Schema, path: string): string[] {
  const found: string[] = [];
  for (const [key, value] of Object.entries(schema)) {
    if (!OPENAPI_30_SCHEMA_KEYWORDS.has(key) && !key.startsWith('x-')) found.push(`${path}.${key}`);
    if (key === 'properties')
      for (const [name, sub] of Object.entries(value as Record<string, Schema>))
        found.push(...foreignKeywords(sub, `${path}.properties.${name}`));
    else if (key === 'items' || (key === 'additionalProperties' && typeof value === 'object'))
      found.push(...foreignKeywords(value as Schema, `${path}.${key}`));
    else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf')
      (value as Schema[]).forEach((sub, i) => {
        found.push(...foreignKeywords(sub, `${path}.${key}[${i}]`));
      });
  }
  return found;
}

function refsIn(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(refsIn);
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === '$ref' && typeof value === 'string' ? [value] : refsIn(value),
  );
}

describe('schema registry documents', () => {
  it.each(EVENT_TYPES.map((t) => t.detailType))(
    '%s is an OpenAPI 3.0 AWSEvent envelope around the detail',
    (detailType) => {
      const { type, content } = registrySchemaOf(detailType);
      expect(type).toBe('OpenApi3');
      const document = JSON.parse(content);
      expect(document).toMatchObject({ openapi: '3.0.0', info: { title: detailType }, paths: {} });
      const schemas = document.components.schemas as Record<string, Schema>;
      expect(schemas.AWSEvent).toMatchObject({
        'x-amazon-events-detail-type': detailType,
        'x-amazon-events-source': 'tournaments',
        properties: { detail: { $ref: `#/components/schemas/${detailType}` } },
        required: expect.arrayContaining(['detail', 'detail-type', 'source', 'id', 'time']),
      });
      for (const ref of refsIn(document)) {
        expect(ref).toMatch(/^#\/components\/schemas\//);
        expect(schemas[ref.slice('#/components/schemas/'.length)], ref).toBeDefined();
      }
      for (const [name, schema] of Object.entries(schemas))
        expect(foreignKeywords(schema, name), `${detailType}: ${name}`).toEqual([]);
    },
  );

  it.each(EVENT_TYPES.map((t) => t.detailType))(
    '%s declares the same fields and required fields as the JSON Schema',
    (detailType) => {
      const detail = JSON.parse(registrySchemaOf(detailType).content).components.schemas[
        detailType
      ] as Schema;
      const published = jsonSchemaOf(detailType);
      expect(Object.keys(detail.properties as Schema)).toEqual(Object.keys(published.properties as Schema));
      expect(detail.required).toEqual(published.required);
    },
  );

  it.each(EVENT_TYPES.map((t) => t.detailType))(
    '%s offers the optional gameId as an id, with what it means, in both schema forms',
    (detailType) => {
      // Prepare
      const registry = JSON.parse(registrySchemaOf(detailType).content).components.schemas[
        detailType
      ] as Schema;
      const published = jsonSchemaOf(detailType);
      // Assess
      expect((registry.properties as Schema).gameId).toEqual({
        description: expect.stringContaining('the game the tournament is played in'),
        allOf: [{ $ref: '#/components/schemas/Id' }],
      });
      expect((published.properties as Schema).gameId).toEqual({
        description: expect.stringContaining('Not part of the idempotency key'),
        $ref: '#/$defs/Id',
      });
      expect(published.required).not.toContain('gameId');
      expect(registry.required).not.toContain('gameId');
    },
  );

  it('names the draw rule in the description, as OpenAPI 3.0 has no if/then', () => {
    const detail = JSON.parse(registrySchemaOf('MatchFinalized').content).components.schemas.MatchFinalized;
    expect(detail.description).toContain('when isDraw is true, winnerUserIds must be empty');
  });

  it('carries a configured source and is byte-for-byte stable', () => {
    const custom = registrySchemaOf('CheckInToggled', { source: 'platform.tournaments' });
    expect(JSON.parse(custom.content).components.schemas.AWSEvent['x-amazon-events-source']).toBe(
      'platform.tournaments',
    );
    expect(registrySchemaOf('CheckInToggled').content).toBe(registrySchemaOf('CheckInToggled').content);
  });

  it('refuses a name outside the contract', () => {
    expect(() => registrySchemaOf('Nope' as DetailType)).toThrow(RangeError);
  });
});
