import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { documentClient } from '../../lambda/shared/aws/dynamodb.ts';
import type { DetailType } from '../../lambda/shared/contract/event-types.ts';
import { localDynamoClient } from '../../local/clients.ts';
import type { LocalApiAuth } from '../../local/read-api.ts';
import { startLocalStack } from '../../local/stack.ts';
import type { LocalStack } from '../../local/stack-options.ts';
import { openApiDocument } from '../../scripts/generate-openapi.ts';
import { exampleDetail, fresh } from '../support/events.ts';
import { publishTo } from '../support/local-stack.ts';

/** A fake SigV4 header: the local API checks that one is present, not what it says. */
export const SIGNED = {
  authorization:
    'AWS4-HMAC-SHA256 Credential=local/20260501/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=00',
};

/** A local stack on the shared DynamoDB Local with its own tables and the read API in `auth` mode. */
export async function apiStack(auth?: LocalApiAuth): Promise<LocalStack> {
  return startLocalStack({
    port: 0,
    dynamodbEndpoint: inject('dynamoEndpoint'),
    tablePrefix: `api${randomUUID().slice(0, 8)}-`,
    flagCacheSeconds: 0,
    api: { port: 0, ...(auth ? { auth } : {}) },
  });
}

/** A published action: a declared detail type and its detail. */
type Published = { readonly detailType: DetailType; readonly detail: Record<string, unknown> };

/** The API stack a test file shares: read `stack` inside tests and hooks, once it has started. */
export interface SharedApiStack {
  readonly stack: LocalStack;
}

/**
 * Starts an {@link apiStack} before the file's tests with `history` published on it, and stops it
 * after them.
 */
export function sharedApiStack(history: readonly Published[], auth?: LocalApiAuth): SharedApiStack {
  let started: LocalStack | undefined;
  beforeAll(async () => {
    started = await apiStack(auth);
    await publish(started, history);
  });
  afterAll(() => started?.stop());
  return {
    get stack() {
      if (!started)
        throw new Error('the shared API stack starts before the tests: read it inside a test or hook');
      return started;
    },
  };
}

/** Publishes events through the stack's EventBridge API and waits until they and their statistics are stored. */
export async function publish(stack: LocalStack, events: readonly Published[]): Promise<void> {
  await publishTo(stack, events);
  await stack.settled();
}

/** A finalized match between `winner` and `loser` at `minute` past noon. */
export function finalized(tournamentId: string, winner: string, loser: string, minute: number) {
  return {
    detailType: 'MatchFinalized' as const,
    detail: exampleDetail('MatchFinalized', {
      tournamentId,
      matchId: fresh('m'),
      participantUserIds: [winner, loser],
      winnerUserIds: [winner],
      occurredAt: new Date(Date.UTC(2026, 4, 1, 12, minute)).toISOString(),
    }),
  };
}

/** A check-in of `userId` at `minute` past noon. */
export function checkIn(tournamentId: string, userId: string, minute: number) {
  return {
    detailType: 'CheckInToggled' as const,
    detail: exampleDetail('CheckInToggled', {
      tournamentId,
      registrationId: fresh('r'),
      userIds: [userId],
      occurredAt: new Date(Date.UTC(2026, 4, 1, 12, minute)).toISOString(),
    }),
  };
}

/** GET with the real fetch; the body parsed when it is JSON. */
export async function get(url: string, headers: Record<string, string> = SIGNED) {
  const response = await fetch(url, { headers });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    // biome-ignore lint/suspicious/noExplicitAny: each test asserts the fields it reads
    body: text ? (JSON.parse(text) as any) : undefined,
  };
}

/**
 * Writes items into the stack's statistics table as the statistics projector stores them (`STATS`
 * overall, `GAME#{gameId}` per game): reads are tested without the projector that writes them.
 */
export async function putStatsItems(stack: LocalStack, items: readonly Record<string, unknown>[]) {
  const dynamo = localDynamoClient(stack.dynamodbEndpoint);
  try {
    const doc = documentClient(dynamo);
    for (const item of items) await doc.send(new PutCommand({ TableName: stack.tables.stats, Item: item }));
  } finally {
    dynamo.destroy();
  }
}

/** A statistics item with the contract's fields, the given ones over zeros, and internal attributes. */
export function statsItem(userId: string, sk: string, fields: Record<string, unknown> = {}) {
  return {
    userId,
    sk,
    matchesWon: 0,
    matchesLost: 0,
    matchesDrawn: 0,
    matchesPlayed: 0,
    tournamentsPlayed: 0,
    tournamentsWon: 0,
    activityCount: 0,
    currentWinStreak: 0,
    longestWinStreak: 0,
    recentResults: [],
    // The projector's own attributes: never part of an answer.
    version: 7,
    updatedAt: '2026-05-02T00:00:00.000Z',
    runCounts: { '3': 1 },
    ...fields,
  };
}

const ajv = new Ajv2020({ strict: false });
addFormats.default(ajv);
ajv.addSchema({ ...openApiDocument(), $id: 'openapi' });

/** Asserts that `value` is valid against one of the OpenAPI document's `components.schemas`. */
export function conforms(schema: string, value: unknown): void {
  const validate = ajv.getSchema(`openapi#/components/schemas/${schema}`);
  if (!validate) throw new Error(`no schema ${schema}`);
  expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
}
