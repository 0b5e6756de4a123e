/**
 * The profile API, declared once: routes, parameters with their limits, response shapes and error
 * codes. The read and erase-request handlers validate requests with these declarations, the local
 * stack matches routes with them, the CDK construct creates one API Gateway route per entry, and the
 * OpenAPI document is generated from them. Pure data: no SDK, no zod (the read bundle stays small).
 */
import type { StoredActivity } from '../shared/contract/activity-item.ts';
import type { DetailType } from '../shared/contract/event-types.ts';
import { ID_PATTERN } from '../shared/contract/keys.ts';
import { DEFAULT_FEED_LIMIT, MAX_BATCH_USERS, MAX_FEED_LIMIT } from '../shared/contract/limits.ts';
import type { ProfileStats } from '../statistics/index.ts';

/**
 * Names of the response bodies' schemas: the `components.schemas` of the OpenAPI document
 * (./response-schemas.ts declares exactly these).
 */
export type ResponseSchemaName =
  | 'ProfileStats'
  | 'GameStats'
  | 'GameStatsList'
  | 'FeedItem'
  | 'FeedPage'
  | 'StatsBatch'
  | 'ErasureStatus'
  | 'Error'
  | 'GatewayError';

/** A JSON Schema fragment (2020-12, as OpenAPI 3.1 uses it). */
export type SchemaObject = Readonly<Record<string, unknown>>;

/** One request parameter. */
export interface ParameterDeclaration {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly required: boolean;
  readonly description: string;
  /** `string` values are matched against `pattern`; `integer` values against the bounds. */
  readonly schema: {
    readonly type: 'string' | 'integer';
    readonly pattern?: string;
    readonly minimum?: number;
    readonly maximum?: number;
    readonly default?: number;
    readonly maxLength?: number;
    /** `string` values must be one of these. */
    readonly enum?: readonly string[];
  };
  /** A comma-separated list: each item must match `schema`, at most `maxItems` of them. */
  readonly list?: { readonly maxItems: number };
}

/**
 * Who may call a route. `user`: IAM callers, and in JWT mode an end user whose token names the
 * path's `userId`. `platform`: IAM callers only (batch reads).
 */
export type RouteAccess = 'user' | 'platform';

/** One route of the API. */
export interface RouteDeclaration {
  readonly operationId: 'getUserStats' | 'getUserGames' | 'getUserActivities' | 'getStatsBatch' | 'eraseUser';
  readonly method: 'GET' | 'DELETE';
  /** API Gateway path template, `{name}` for path parameters. */
  readonly path: string;
  readonly access: RouteAccess;
  readonly summary: string;
  readonly parameters: readonly ParameterDeclaration[];
  /** Name of the success response's schema. */
  readonly responseSchema: ResponseSchemaName;
  /** The route answers `304` to a matching `If-None-Match`. */
  readonly conditional?: boolean;
  /**
   * The route starts work that outlasts the gateway's integration timeout: it answers `202` with
   * the response schema while the work runs, `200` once it is done.
   */
  readonly asynchronous?: boolean;
}

const USER_ID_PATH: ParameterDeclaration = {
  name: 'userId',
  in: 'path',
  required: true,
  description: 'The user, as the contract spells ids (1-64 characters from A-Z a-z 0-9 _ . -).',
  schema: { type: 'string', pattern: ID_PATTERN.source },
};

const GAME_ID_QUERY: ParameterDeclaration = {
  name: 'gameId',
  in: 'query',
  required: false,
  description:
    "Only this game (the events' gameId, as the contract spells ids: 1-64 characters from A-Z a-z 0-9 _ . -). A game the user has nothing in has zero counters.",
  schema: { type: 'string', pattern: ID_PATTERN.source },
};

/**
 * The event types a feed can be filtered by: the contract's eight `detail-type` names. The compiler
 * holds this list to the contract's one declaration (adding, removing or renaming an event type
 * there fails the type check here); the import is type-only, so the read function's bundle stays
 * free of zod and the event schemas.
 */
const FEED_TYPES = {
  RegistrationStatusChanged: true,
  PaymentStatusChanged: true,
  CheckInToggled: true,
  MatchResultSubmitted: true,
  MatchFinalized: true,
  DisputeOpened: true,
  DisputeResolved: true,
  TournamentCompleted: true,
} as const satisfies Record<DetailType, true>;

/** The `type` values a feed accepts, in the contract's order. */
export const FEED_TYPE_NAMES = Object.keys(FEED_TYPES) as readonly DetailType[];

/** The routes, in the order the document lists them. */
export const ROUTES: readonly RouteDeclaration[] = [
  {
    operationId: 'getUserStats',
    method: 'GET',
    path: '/users/{userId}/stats',
    access: 'user',
    summary:
      "A user's profile statistics, overall or for one game (zeros for a user with no activity there), with an ETag.",
    parameters: [USER_ID_PATH, GAME_ID_QUERY],
    responseSchema: 'ProfileStats',
    conditional: true,
  },
  {
    operationId: 'getUserGames',
    method: 'GET',
    path: '/users/{userId}/games',
    access: 'user',
    summary: "A user's statistics in each game they have activity in, sorted by gameId, with an ETag.",
    parameters: [USER_ID_PATH],
    responseSchema: 'GameStatsList',
    conditional: true,
  },
  {
    operationId: 'getUserActivities',
    method: 'GET',
    path: '/users/{userId}/activities',
    access: 'user',
    summary: "A page of a user's activities, newest first; pass nextCursor back for the next page.",
    parameters: [
      USER_ID_PATH,
      {
        name: 'limit',
        in: 'query',
        required: false,
        description: `Page size, 1-${MAX_FEED_LIMIT}.`,
        schema: { type: 'integer', minimum: 1, maximum: MAX_FEED_LIMIT, default: DEFAULT_FEED_LIMIT },
      },
      {
        name: 'cursor',
        in: 'query',
        required: false,
        description:
          'The nextCursor of the previous page, unchanged (opaque, signed, bound to the user and type).',
        schema: { type: 'string', maxLength: 2048 },
      },
      {
        name: 'type',
        in: 'query',
        required: false,
        description: 'Only activities of this event type (its detail-type, e.g. MatchFinalized).',
        schema: { type: 'string', enum: FEED_TYPE_NAMES },
      },
    ],
    responseSchema: 'FeedPage',
  },
  {
    operationId: 'getStatsBatch',
    method: 'GET',
    path: '/stats',
    access: 'platform',
    summary: `Statistics of up to ${MAX_BATCH_USERS} users at once, overall or for one game; unknown users have zero counters.`,
    parameters: [
      {
        name: 'userIds',
        in: 'query',
        required: true,
        description: `Comma-separated user ids, 1-${MAX_BATCH_USERS}; repeated ids are answered once.`,
        schema: { type: 'string', pattern: ID_PATTERN.source },
        list: { maxItems: MAX_BATCH_USERS },
      },
      GAME_ID_QUERY,
    ],
    responseSchema: 'StatsBatch',
  },
  {
    operationId: 'eraseUser',
    method: 'DELETE',
    path: '/users/{userId}',
    access: 'platform',
    summary:
      'Erases a user (activities, statistics, dead letters naming only them) for good. Answers 202 while the erasure runs and 200 with what it removed once it is done; send it again to learn which, or to resume one that stopped.',
    parameters: [USER_ID_PATH],
    responseSchema: 'ErasureStatus',
    asynchronous: true,
  },
];

/** The routes that only read: what the platform's read policy may invoke. */
export const READ_ROUTES: readonly RouteDeclaration[] = ROUTES.filter((route) => route.method === 'GET');

/** API Gateway route key of a route (`GET /users/{userId}/stats`). */
export const routeKeyOf = (route: Pick<RouteDeclaration, 'method' | 'path'>): string =>
  `${route.method} ${route.path}`;

/** Error codes of the `{ "error": { "code", "message" } }` body. */
export const API_ERRORS = {
  invalidParameter: { code: 'InvalidParameter', status: 400 },
  invalidCursor: { code: 'InvalidCursor', status: 400 },
  forbidden: { code: 'Forbidden', status: 403 },
  notFound: { code: 'NotFound', status: 404 },
  internal: { code: 'InternalError', status: 500 },
} as const;

/** One of the API's error kinds. */
export type ApiErrorKind = keyof typeof API_ERRORS;

/** A match's outcome for the user: won, lost, drawn. */
export type MatchResult = 'W' | 'L' | 'D';

/** Win streaks and recent form, as the contract defines them over the user's counting matches. */
export interface Streaks {
  /** `W` at the end of the user's matches in position order (0 after an `L` or `D`, or with none). */
  readonly currentWinStreak: number;
  /** The longest run of consecutive `W`. */
  readonly longestWinStreak: number;
  /** The outcomes of the last `RECENT_RESULTS_SIZE` (the contract's 5) matches, newest first. */
  readonly recentResults: readonly MatchResult[];
}

/**
 * A user's statistics with their streaks and the derived win rate: the body of
 * `GET /users/{userId}/stats` (and an entry of `GET /stats`). `gameId` is set when they are of one
 * game (`?gameId=`).
 */
export interface ProfileView extends ProfileStats, Streaks {
  readonly gameId?: string;
  readonly winRate: number;
}

/** A user's statistics in one game: an entry of `GET /users/{userId}/games`. */
export interface GameProfileView extends ProfileView {
  readonly gameId: string;
}

/** The games a user has activity in: the body of `GET /users/{userId}/games`. */
export interface GameList {
  /** Sorted by `gameId`. */
  readonly items: readonly GameProfileView[];
}

/**
 * One activity in a user's feed, as the read API answers it: the stored activity, with its small
 * fields as `detail` (entity ids, status words, flags; user lists and extra fields stay in the bus
 * archive). Items of the previous shape are read through the same reduction.
 */
export interface FeedEntry extends Omit<StoredActivity, 'fields'> {
  readonly detail: Record<string, unknown>;
}

/** A page of a feed: the body of `GET /users/{userId}/activities`. */
export interface FeedPage {
  readonly items: readonly FeedEntry[];
  readonly nextCursor?: string | undefined;
}

/** Parsed parameters: integers as numbers, lists as de-duplicated arrays, absent ones omitted. */
export type ParameterValues = Readonly<Record<string, string | number | readonly string[]>>;
