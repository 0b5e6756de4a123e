import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DetailType, EVENT_TYPES } from '../../lambda/shared/contract/event-types.ts';
import { acceptEvent } from '../../lambda/shared/contract/events.ts';
import { jsonSchemaOf } from '../../lambda/shared/contract/json-schema.ts';
import { InvalidEventError } from '../../lambda/shared/errors.ts';
import { bridgeEvent, exampleDetail } from '../support/events.ts';
import { INVALID_DETAILS as invalid, VALID_DETAILS as valid } from './cases.ts';

const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const validators = new Map(EVENT_TYPES.map((t) => [t.detailType, ajv.compile(jsonSchemaOf(t.detailType))]));

/** What a publisher's JSON Schema validator says about a detail, after the JSON round trip of the wire. */
function schemaAccepts(detailType: DetailType, detail: unknown): boolean {
  const validate = validators.get(detailType);
  if (!validate) throw new Error(`no validator for ${detailType}`);
  return validate(JSON.parse(JSON.stringify(detail)));
}

/** What the recording handler says about the same detail. */
function handlerAccepts(detailType: DetailType, detail: unknown): boolean {
  try {
    acceptEvent(bridgeEvent(detailType, JSON.parse(JSON.stringify(detail))));
    return true;
  } catch (error) {
    if (error instanceof InvalidEventError) return false;
    throw error;
  }
}

function without(detail: Record<string, unknown>, field: string): Record<string, unknown> {
  const { [field]: _removed, ...rest } = detail;
  return rest;
}

describe('published JSON Schemas', () => {
  it.each(EVENT_TYPES.map((t) => t.detailType))(
    '%s is a valid JSON Schema 2020-12 with id, title and description',
    (detailType) => {
      const schema = jsonSchemaOf(detailType);
      expect(ajv.validateSchema(schema)).toBe(true);
      expect(schema).toMatchObject({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: expect.stringContaining(detailType),
        title: detailType,
        description: expect.any(String),
      });
    },
  );

  it.each(EVENT_TYPES.map((t) => t.detailType))(
    'the declared %s example passes the schema and the handler',
    (detailType) => {
      const example = exampleDetail(detailType);
      expect(schemaAccepts(detailType, example)).toBe(true);
      expect(handlerAccepts(detailType, example)).toBe(true);
    },
  );

  it.each(invalid)('schema and handler both refuse %s (%s)', (_name, detailType, overrides, notes) => {
    const detail = exampleDetail(detailType, overrides);
    expect(handlerAccepts(detailType, detail)).toBe(false);
    // A rule JSON Schema cannot state is the one place the published schemas are more lenient.
    expect(schemaAccepts(detailType, detail)).toBe(notes?.beyondJsonSchema === true);
  });

  const missing = EVENT_TYPES.flatMap((t) =>
    (jsonSchemaOf(t.detailType).required as string[]).map((field) => [t.detailType, field] as const),
  );

  it.each(missing)('schema and handler both refuse %s without %s', (detailType, field) => {
    const detail = without(exampleDetail(detailType), field);
    expect(handlerAccepts(detailType, detail)).toBe(false);
    expect(schemaAccepts(detailType, detail)).toBe(false);
  });

  it.each(valid)('schema and handler both accept %s (%s)', (_name, detailType, overrides) => {
    const detail = exampleDetail(detailType, overrides);
    expect(handlerAccepts(detailType, detail)).toBe(true);
    expect(schemaAccepts(detailType, detail)).toBe(true);
  });

  it('agrees with the handler on arbitrary ids', () => {
    const anyId = fc.oneof(
      fc.string({ maxLength: 70 }),
      fc.stringMatching(/^[A-Za-z0-9_.:# -]{0,66}$/),
      fc.integer({ min: -5, max: Number.MAX_SAFE_INTEGER }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(null, true, [], {}),
    );
    fc.assert(
      fc.property(anyId, (id) => {
        const detail = exampleDetail('DisputeOpened', { disputeId: id });
        expect(schemaAccepts('DisputeOpened', detail)).toBe(handlerAccepts('DisputeOpened', detail));
      }),
      { numRuns: 500 },
    );
  });

  describe('rules only the handler can check', () => {
    it.each([
      [
        'MatchFinalized',
        { winnerUserIds: [99] },
        'every winnerUserIds entry must be one of participantUserIds',
      ],
      [
        'TournamentCompleted',
        { winnerUserIds: [99] },
        'every winnerUserIds entry must be one of participantUserIds',
      ],
      [
        'MatchResultSubmitted',
        { submittedByUserId: 99 },
        'submittedByUserId must be one of participantUserIds',
      ],
      ['DisputeOpened', { openedByUserId: 99 }, 'openedByUserId must be one of participantUserIds'],
    ] as const)(
      '%s %j passes the schema, is refused by the handler, and the schema names the rule',
      (detailType, overrides, rule) => {
        const detail = exampleDetail(detailType, overrides);
        expect(schemaAccepts(detailType, detail)).toBe(true);
        expect(handlerAccepts(detailType, detail)).toBe(false);
        expect(jsonSchemaOf(detailType).description).toContain(rule);
      },
    );
  });

  it('refuses a name outside the contract with the list of valid ones', () => {
    expect(() => jsonSchemaOf('MatchCancelled' as DetailType)).toThrow(/MatchFinalized/);
  });
});
