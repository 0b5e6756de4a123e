import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acceptEvent } from '../../lambda/shared/contract/events.ts';
import { InvalidEventError } from '../../lambda/shared/errors.ts';
import { bridgeEvent } from '../support/events.ts';

/** The shared vectors: the pytest suite of clients/python reads the same files and must agree. */
interface ValidVector {
  readonly name: string;
  readonly detailType: string;
  readonly detail: unknown;
  readonly idempotencyKey: string;
}
interface InvalidVector {
  readonly name: string;
  readonly detailType: string;
  readonly detail: unknown;
  /** The detail field the refusal names; `null` for the detail as a whole. */
  readonly field: string | null;
  readonly reason: string;
}

const read = <T>(file: string): T[] =>
  (JSON.parse(readFileSync(join(import.meta.dirname, file), 'utf8')) as { vectors: T[] }).vectors;

/** Two valid details under one key: one action (a duplicate) or two (a conflict). */
interface EquivalenceVector {
  readonly name: string;
  readonly detailType: string;
  readonly first: unknown;
  readonly second: unknown;
  /** Whether the two have one canonical payload. */
  readonly sameAction: boolean;
  readonly why: string;
}

const VALID = read<ValidVector>('valid.json');
const INVALID = read<InvalidVector>('invalid.json');
const EQUIVALENT = read<EquivalenceVector>('equivalent.json');

function reasonsOf(vector: InvalidVector): readonly string[] {
  try {
    acceptEvent(bridgeEvent(vector.detailType, vector.detail));
  } catch (error) {
    if (error instanceof InvalidEventError) return error.reasons;
    throw error;
  }
  return [];
}

describe('the shared contract vectors, as the recording side judges them', () => {
  it('cover all eight event types, valid and invalid', () => {
    // Assess
    expect(new Set(VALID.map((v) => v.detailType)).size).toBe(8);
    expect(new Set(INVALID.map((v) => v.detailType)).size).toBe(8);
  });

  it.each(VALID.map((v) => [v.name, v] as const))('accepts %s with its idempotency key', (_, vector) => {
    // Act
    const accepted = acceptEvent(bridgeEvent(vector.detailType, vector.detail));
    // Assess
    expect(accepted.idempotencyKey).toBe(vector.idempotencyKey);
  });

  it.each(EQUIVALENT.map((v) => [v.name, v] as const))(
    'judges %s one action exactly when the vector says, under one key',
    (_, vector) => {
      // Act
      const first = acceptEvent(bridgeEvent(vector.detailType, vector.first));
      const second = acceptEvent(bridgeEvent(vector.detailType, vector.second));
      // Assess
      expect(second.idempotencyKey).toBe(first.idempotencyKey);
      expect(second.payloadHash === first.payloadHash, vector.why).toBe(vector.sameAction);
    },
  );

  it.each(INVALID.map((v) => [v.name, v] as const))('refuses %s, naming the field', (_, vector) => {
    // Act
    const reasons = reasonsOf(vector);
    // Assess
    expect(reasons, `accepted although ${vector.reason}`).not.toEqual([]);
    const named = vector.field === null ? 'detail:' : `detail.${vector.field}`;
    expect(reasons.some((r) => r.startsWith(named))).toBe(true);
  });
});
