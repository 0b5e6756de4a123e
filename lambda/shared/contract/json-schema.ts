import * as z from 'zod/mini';
import { DEFAULT_EVENT_SOURCE } from './defaults.ts';
import { type DetailType, EVENT_TYPES, type EventTypeDefinition, eventTypeOf } from './event-types.ts';
import { idSchema, optionalUserListSchema, userListSchema } from './ids.ts';
import { ID_PATTERN } from './keys.ts';
import { MAX_DETAIL_BYTES, MAX_USERS_PER_EVENT } from './limits.ts';

/** A JSON Schema document, as plain JSON. */
export type JsonSchema = Record<string, unknown>;

/** Major version of the contract the published schemas describe; part of every `$id`. */
export const SCHEMA_CONTRACT_VERSION = 1;

/** The `$id` of the published JSON Schema of one event type (a URN: it names, it does not locate). */
export function schemaIdOf(detailType: DetailType): string {
  return `urn:tournament-profile-integration:events:v${SCHEMA_CONTRACT_VERSION}:${detailType}`;
}

/**
 * Names for the shared building blocks, so each schema says "Id" once in `$defs` instead of
 * repeating the pattern in every field. Kept in a private registry: the global zod registry is
 * shared with every other caller of `z.toJSONSchema` in the process.
 */
function sharedDefinitions(): z.core.$ZodRegistry<{ id?: string; description?: string }> {
  const registry = z.registry<{ id?: string; description?: string }>();
  registry.add(idSchema(), {
    id: 'Id',
    description:
      `1-64 characters matching ${ID_PATTERN.source}, or a positive safe integer (normalised to its ` +
      'decimal string, so 42 and "42" are the same id). Ids are spliced into idempotency keys, which is why ' +
      'separators such as ":" and "#", spaces, floats and negative numbers are refused.',
  });
  registry.add(userListSchema(), {
    id: 'UserList',
    description: `1 to ${MAX_USERS_PER_EVENT} user ids; duplicates are removed on receipt.`,
  });
  registry.add(optionalUserListSchema(), {
    id: 'OptionalUserList',
    description: `0 to ${MAX_USERS_PER_EVENT} user ids; duplicates are removed on receipt.`,
  });
  return registry;
}

/** Descriptions of the fields every event carries (the contract's "common Detail fields"). */
const COMMON_FIELD_DESCRIPTIONS: Readonly<Record<string, string>> = {
  schemaVersion: 'Major version of this detail format. Optional, default 1; any other value is refused.',
  tournamentId: 'The tournament the action belongs to.',
  occurredAt:
    'When the action happened on the platform: an ISO-8601 instant with a zone, for example 2026-05-01T12:00:00Z.',
  revision:
    'Only for an action that can legitimately happen twice with the same status (a check-in toggled back ' +
    'and forth): a new revision makes it a new action; resending the same revision is a harmless retry.',
  gameId:
    'Optional: the game the tournament is played in (valorant, efootball, 42). Statistics are also kept per ' +
    'game for the events that carry one. Not part of the idempotency key: a resend must carry the same gameId, ' +
    'or it is another payload under the same key (a conflict, ignored).',
};

/** The draw rule: JSON Schema 2020-12 can state it with if/then, OpenAPI 3.0 cannot. */
const DRAW_RULE = 'when isDraw is true, winnerUserIds must be empty';

function hasDrawRule(properties: Record<string, unknown>): boolean {
  return 'isDraw' in properties && 'winnerUserIds' in properties;
}

function detailSchemaOf(
  definition: EventTypeDefinition,
  target: 'draft-2020-12' | 'openapi-3.0',
): JsonSchema & { properties: Record<string, JsonSchema> } {
  const schema = z.toJSONSchema(definition.schema, {
    io: 'input',
    target,
    metadata: sharedDefinitions(),
    unrepresentable: 'throw',
  }) as JsonSchema & { properties: Record<string, JsonSchema> };
  for (const [field, description] of Object.entries(COMMON_FIELD_DESCRIPTIONS)) {
    const property = schema.properties[field];
    if (!property) continue;
    // OpenAPI 3.0 ignores keywords next to a `$ref`; wrapping the reference keeps the description.
    schema.properties[field] =
      target === 'openapi-3.0' && '$ref' in property
        ? { description, allOf: [property] }
        : { description, ...property };
  }
  return schema;
}

/** What the receiving side checks beyond the schema: named so publishers know before they send. */
function describeRules(definition: EventTypeDefinition, unexpressed: readonly string[]): string {
  const rules = [
    ...definition.crossFieldRules,
    ...unexpressed,
    `the detail is at most ${MAX_DETAIL_BYTES} bytes of UTF-8 JSON`,
  ];
  return (
    `${definition.description} Unknown extra fields are allowed and kept. ` +
    `Also checked on receipt, not expressible in this schema: ${rules.join('; ')}.`
  );
}

function definitionOf(detailType: DetailType): EventTypeDefinition {
  const definition = eventTypeOf(detailType);
  if (!definition)
    throw new RangeError(
      `${JSON.stringify(detailType)} is not one of the contract's event types: use one of ${EVENT_TYPES.map((t) => t.detailType).join(', ')}`,
    );
  return definition;
}

/**
 * The JSON Schema 2020-12 of the `Detail` a publisher sends for one event type, generated from the
 * same zod schema the recording handler validates with (its input side: ids may be numbers,
 * defaults may be omitted). Cross-field rules JSON Schema cannot state are named in `description`.
 * @throws RangeError when `detailType` is not one of the contract's event types
 */
export function jsonSchemaOf(detailType: DetailType): JsonSchema {
  const definition = definitionOf(detailType);
  const generated = detailSchemaOf(definition, 'draft-2020-12');
  const { $schema, ...body } = generated;
  const conditional = hasDrawRule(generated.properties)
    ? {
        if: { properties: { isDraw: { const: true } }, required: ['isDraw'] },
        // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword; a plain object is never thenable
        then: { properties: { winnerUserIds: { type: 'array', maxItems: 0 } } },
      }
    : {};
  return {
    $schema,
    $id: schemaIdOf(detailType),
    title: detailType,
    description: describeRules(definition, []),
    ...body,
    ...conditional,
    examples: [definition.example],
  };
}

/** The schema types the EventBridge schema registry accepts. */
export type RegistrySchemaType = 'OpenApi3' | 'JSONSchemaDraft4';

/** Options of {@link registrySchemaOf}. */
export interface RegistrySchemaOptions {
  /** The `source` the events carry. @default 'tournaments' */
  readonly source?: string;
}

/** Moves zod's `definitions` into OpenAPI components and points every `$ref` there. */
function toComponents(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toComponents);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string'
        ? value.replace('#/definitions/', '#/components/schemas/')
        : toComponents(value),
    ]),
  );
}

/**
 * The schema of one event type for the EventBridge schema registry (`AWS::EventSchemas::Schema`):
 * an OpenAPI 3.0 document whose `AWSEvent` component is the whole EventBridge event, with the
 * detail as its own component, the layout the registry uses for discovered and AWS schemas (code
 * bindings are generated from it). The registry takes only OpenAPI 3 or JSON Schema draft 4, so
 * the rules 2020-12 states with if/then are named in the description instead.
 * @throws RangeError when `detailType` is not one of the contract's event types
 */
export function registrySchemaOf(
  detailType: DetailType,
  options: RegistrySchemaOptions = {},
): { type: RegistrySchemaType; content: string } {
  const definition = definitionOf(detailType);
  const { definitions = {}, ...detail } = detailSchemaOf(definition, 'openapi-3.0');
  const unexpressed = hasDrawRule(detail.properties as Record<string, unknown>) ? [DRAW_RULE] : [];
  const document = {
    openapi: '3.0.0',
    info: { version: '1.0.0', title: detailType },
    paths: {},
    components: {
      schemas: {
        AWSEvent: {
          type: 'object',
          required: [
            'detail-type',
            'resources',
            'detail',
            'id',
            'source',
            'time',
            'region',
            'version',
            'account',
          ],
          'x-amazon-events-detail-type': detailType,
          'x-amazon-events-source': options.source ?? DEFAULT_EVENT_SOURCE,
          properties: {
            detail: { $ref: `#/components/schemas/${detailType}` },
            account: { type: 'string' },
            'detail-type': { type: 'string' },
            id: { type: 'string' },
            region: { type: 'string' },
            resources: { type: 'array', items: { type: 'string' } },
            source: { type: 'string' },
            time: { type: 'string', format: 'date-time' },
            version: { type: 'string' },
          },
        },
        [detailType]: { description: describeRules(definition, unexpressed), ...detail },
        ...(definitions as Record<string, unknown>),
      },
    },
  };
  return { type: 'OpenApi3', content: JSON.stringify(toComponents(document)) };
}
