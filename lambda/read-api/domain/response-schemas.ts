/**
 * The read API's response bodies as JSON Schema (2020-12): the `components.schemas` of the OpenAPI
 * document, and what the conformance tests validate real responses against.
 */

import { RECENT_RESULTS_SIZE } from '../../shared/contract/limits.ts';
import { ERASED_KINDS } from '../../shared/erased-users.ts';
import { API_ERRORS, type ResponseSchemaName, type SchemaObject } from '../constants.ts';

/** Fields of a user's statistics, overall or in one game, in the order the API writes them. */
const STATS_PROPERTIES = {
  userId: { type: 'string' },
  gameId: {
    type: 'string',
    description: 'The game these statistics are of; absent from the overall statistics.',
  },
  matchesWon: { type: 'integer', minimum: 0 },
  matchesLost: { type: 'integer', minimum: 0 },
  matchesDrawn: { type: 'integer', minimum: 0 },
  tournamentsPlayed: { type: 'integer', minimum: 0 },
  tournamentsWon: { type: 'integer', minimum: 0 },
  matchesPlayed: { type: 'integer', minimum: 0, description: 'matchesWon + matchesLost + matchesDrawn' },
  activityCount: { type: 'integer', minimum: 0 },
  lastActivityAt: {
    type: ['string', 'null'],
    format: 'date-time',
    description: 'Latest occurredAt of the user’s activities (UTC); null with none.',
  },
  currentWinStreak: {
    type: 'integer',
    minimum: 0,
    description:
      'Wins at the end of the user’s matches in position order (when each match was first finalized); 0 after a loss or draw, or with none.',
  },
  longestWinStreak: { type: 'integer', minimum: 0, description: 'The longest run of consecutive wins.' },
  recentResults: {
    type: 'array',
    maxItems: RECENT_RESULTS_SIZE,
    items: { enum: ['W', 'L', 'D'] },
    description: `Outcomes of the last ${RECENT_RESULTS_SIZE} matches, newest first (fewer when fewer were played).`,
  },
  winRate: {
    type: 'number',
    minimum: 0,
    maximum: 1,
    description: 'matchesWon / matchesPlayed; 0 with none.',
  },
} as const;

/** Every field but `gameId` is always present. */
const ALWAYS_PRESENT = Object.keys(STATS_PROPERTIES).filter((name) => name !== 'gameId');

const PROFILE_STATS: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ALWAYS_PRESENT,
  properties: STATS_PROPERTIES,
};

const GAME_STATS: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['gameId', ...ALWAYS_PRESENT],
  properties: STATS_PROPERTIES,
};

const FEED_ITEM: SchemaObject = {
  type: 'object',
  required: [
    'userId',
    'idempotencyKey',
    'activityType',
    'detailType',
    'tournamentId',
    'occurredAt',
    'recordedAt',
    'role',
    'detail',
  ],
  properties: {
    userId: { type: 'string' },
    idempotencyKey: { type: 'string' },
    activityType: { type: 'string', description: 'tournament.<kind>.<status>' },
    detailType: { type: 'string' },
    tournamentId: { type: 'string' },
    occurredAt: { type: 'string', format: 'date-time' },
    recordedAt: { type: 'string', format: 'date-time' },
    role: {
      type: 'string',
      enum: ['winner', 'loser', 'draw', 'participant'],
      description: "The user's own role in the action.",
    },
    detail: {
      type: 'object',
      description:
        "The detail's small fields (entity ids, status words, flags); user lists and extra fields stay in the bus archive.",
      properties: {
        gameId: { type: 'string', description: 'The game the event named; absent when it named none.' },
      },
    },
  },
};

/** Response bodies by name (`components.schemas` of the OpenAPI document). */
export const RESPONSE_SCHEMAS = {
  ProfileStats: PROFILE_STATS,
  GameStats: GAME_STATS,
  GameStatsList: {
    type: 'object',
    additionalProperties: false,
    required: ['items'],
    properties: {
      items: {
        type: 'array',
        description: 'One entry per game the user has activity in, sorted by gameId.',
        items: { $ref: '#/components/schemas/GameStats' },
      },
    },
  },
  FeedItem: FEED_ITEM,
  FeedPage: {
    type: 'object',
    additionalProperties: false,
    required: ['items'],
    properties: {
      items: { type: 'array', items: { $ref: '#/components/schemas/FeedItem' } },
      nextCursor: { type: 'string', description: 'Absent on the last page.' },
    },
  },
  StatsBatch: {
    type: 'object',
    additionalProperties: false,
    required: ['items'],
    properties: {
      items: {
        type: 'array',
        description:
          'One entry per distinct requested id, in request order; each with gameId when the request named a game.',
        items: { $ref: '#/components/schemas/ProfileStats' },
      },
    },
  },
  ErasureStatus: {
    type: 'object',
    additionalProperties: false,
    required: ['userId', 'state'],
    properties: {
      userId: { type: 'string' },
      state: {
        enum: ['requested', 'erasing', 'erased'],
        description:
          'requested: queued, not begun; erasing: the record is written (nothing new is recorded for the user) and items are being deleted; erased: done.',
      },
      erasedAt: { type: 'string', format: 'date-time', description: 'When the erasure record was written.' },
      removed: {
        type: 'object',
        description: 'Items removed so far, by kind, over every run.',
        additionalProperties: false,
        properties: Object.fromEntries(ERASED_KINDS.map((kind) => [kind, { type: 'integer', minimum: 0 }])),
      },
      keptDeadLetters: {
        type: 'array',
        description: 'Dead letters kept because they name other users too.',
        items: { type: 'string' },
      },
    },
  },
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { enum: Object.values(API_ERRORS).map((e) => e.code) },
          message: { type: 'string', description: 'What was wrong and what to do instead.' },
        },
      },
    },
  },
  GatewayError: {
    type: 'object',
    description: 'API Gateway’s own refusals (401, 403 from IAM, 429) carry only a message.',
    required: ['message'],
    properties: { message: { type: 'string' } },
  },
} as const satisfies Record<ResponseSchemaName, SchemaObject>;
