import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { type AddressInfo, isIPv4 } from 'node:net';
import type { BridgeEvent } from '../lambda/shared/contract/events.ts';
import { parseJsonBody, readBody, sendError, sendJson } from './aws-json.ts';
import { AwsServiceError, LocalEndpointError } from './errors.ts';
import { LocalParameterStore } from './parameters.ts';
import {
  type BusIdentity,
  DEFAULT_BUS_NAME,
  destinationOf,
  type EntryFailure,
  entryFailure,
  type PutEventsEntry,
  toBridgeEvent,
  validateRequest,
} from './put-events.ts';

/**
 * Decides that an entry fails although it is valid, to exercise a publisher's partial-failure path.
 * `attempt` counts how many times this endpoint has received an entry with the same Source,
 * DetailType and Detail (1 the first time), so a test can fail the first try and accept the resend;
 * `index` is the entry's position in its request.
 */
export type FailEntry = (entry: PutEventsEntry, attempt: number, index: number) => EntryFailure | undefined;

/**
 * An operation served besides PutEvents and the SSM parameter calls, by its `X-Amz-Target`.
 * `caller` is the IAM identity the request was signed as, as AWS records it (`LastModifiedUser`).
 */
export type OperationHandler = (input: Record<string, unknown>, caller?: string) => unknown;

/**
 * The identity a request was signed as: the access key id of its SigV4 `Authorization` header as an
 * IAM user of `account` (the local stack does not verify signatures; it only records who asked).
 */
export function callerOf(request: IncomingMessage, account: string): string | undefined {
  const credential = /Credential=([^/,\s]+)\//.exec(request.headers.authorization ?? '');
  return credential ? `arn:aws:iam::${account}:user/${credential[1]}` : undefined;
}

/** Options of {@link startLocalEndpoint}. */
export interface LocalEndpointOptions {
  /** Loopback port; 0 or omitted picks a free one. */
  readonly port?: number;
  /** Loopback address to listen on; any other address is refused. @default 127.0.0.1 */
  readonly host?: string;
  readonly limits?: Partial<ServerLimits>; // @default DEFAULT_SERVER_LIMITS
  /** Bus name, region and account the events carry. @default tournaments, us-east-1, 000000000000 */
  readonly bus?: Partial<BusIdentity>;
  /** SSM parameters served by GetParameter/PutParameter. @default a new empty in-memory store */
  readonly parameters?: LocalParameterStore;
  /** Receives each request's accepted events for this bus, in entry order, after the response is decided. */
  readonly onEvents?: (events: readonly BridgeEvent[]) => void;
  /**
   * Told of each accepted event that went to the account's `default` bus (no EventBusName): AWS
   * accepts it and no rule of this stack sees it, so it is lost there; locally it is logged.
   */
  readonly onDefaultBus?: (event: BridgeEvent) => void;
  /** Told when `onEvents` threw: the request was answered already and the endpoint keeps serving. */
  readonly onError?: (error: Error) => void;
  /** Failure injection for publisher tests. */
  readonly failEntry?: FailEntry;
  /**
   * Whether deliveries are too far behind to queue more: valid entries then fail with the retryable
   * `ThrottlingException`, as AWS answers a publisher above its quota, so memory stays bounded.
   */
  readonly saturated?: () => boolean;
  /** More operations by target, e.g. `AWSEvents.StartReplay`. */
  readonly operations?: Readonly<Record<string, OperationHandler>>;
}

/** A running local endpoint. */
export interface LocalEndpoint {
  /** `http://127.0.0.1:<port>`: pass it as `endpoint` to the AWS SDK clients. */
  readonly url: string;
  readonly port: number;
  readonly bus: BusIdentity;
  readonly parameters: LocalParameterStore;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** Default identity of the local bus. */
export const LOCAL_BUS: BusIdentity = {
  busName: 'tournaments',
  region: 'us-east-1',
  account: '000000000000',
};

/**
 * What one client may hold of a local server: a client that sends slowly or never finishes holds a
 * connection, not the server; more connections than the cap are closed as they connect instead of
 * exhausting memory. AWS's own front ends time out slow clients too.
 */
export interface ServerLimits {
  /** The request line and headers must arrive within this many ms. */
  readonly headersTimeoutMs: number;
  /** The whole request must arrive within this many ms. */
  readonly requestTimeoutMs: number;
  /** Connections open at once. */
  readonly maxConnections: number;
  /** Largest request line plus headers, in bytes (Node answers 431 beyond it). @default Node's 16 KB */
  readonly maxHeaderBytes?: number;
}

/** The limits every local server has unless a test asks for others: headers 10 s, request 30 s, 1,024 connections. */
export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxConnections: 1024,
};

/** Whether `host` is a loopback address literal (127.0.0.0/8 or ::1): nothing else can reach it. */
export function isLoopbackAddress(host: string): boolean {
  return (isIPv4(host) && host.startsWith('127.')) || host === '::1';
}

/** Where {@link listenOnLoopback} serves (port 0: a free one; host: 127.0.0.1), and `portTaken`'s advice. */
export interface LoopbackServerOptions {
  readonly port?: number | undefined;
  readonly host?: string | undefined;
  /** @default DEFAULT_SERVER_LIMITS */
  readonly limits?: Partial<ServerLimits> | undefined;
  /** The error for a port already in use, naming the option that picks another. */
  readonly portTaken: (port: number | undefined) => Error;
}

/** A server listening on loopback (`url` is `http://127.0.0.1:<port>`), with the limits in force. */
export interface LoopbackServer {
  readonly url: string;
  readonly port: number;
  readonly limits: ServerLimits;
  close(): Promise<void>; // stops listening and closes open connections
}

function checkedLimits(limits: Partial<ServerLimits> | undefined): ServerLimits {
  const merged = { ...DEFAULT_SERVER_LIMITS, ...limits };
  for (const [name, value] of Object.entries(merged))
    if (value !== undefined && !(Number.isInteger(value) && value > 0))
      throw new LocalEndpointError(`server limit ${name} must be a whole number > 0, got ${value}`);
  if (merged.headersTimeoutMs > merged.requestTimeoutMs)
    throw new LocalEndpointError(
      `server limit headersTimeoutMs (${merged.headersTimeoutMs}) must not exceed requestTimeoutMs (${merged.requestTimeoutMs})`,
    );
  return merged;
}

/**
 * Serves `listener` on a loopback address with {@link ServerLimits}: the one way every local server
 * listens. Any other address is refused: the local stack does not verify signatures, so anything
 * that can reach it can read and erase every user's data.
 */
export async function listenOnLoopback(
  listener: RequestListener,
  options: LoopbackServerOptions,
): Promise<LoopbackServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackAddress(host))
    throw new LocalEndpointError(
      `the local stack listens on loopback only (127.0.0.1 or ::1), not on "${host}": it does not verify IAM signatures, so anyone who could reach it could read and erase every user's data. To use it from another machine, forward the port over SSH (ssh -L PORT:127.0.0.1:PORT this-host).`,
    );
  const limits = checkedLimits(options.limits);
  const server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      // Node checks the timeouts on this period (30 s by default): check often enough that a slow
      // client is closed close to its limit.
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
      ...(limits.maxHeaderBytes ? { maxHeaderSize: limits.maxHeaderBytes } : {}),
    },
    listener,
  );
  server.maxConnections = limits.maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? options.portTaken(options.port) : error),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    limits,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function contentKey(entry: PutEventsEntry): string {
  return createHash('sha256')
    .update(JSON.stringify([entry.Source, entry.DetailType, entry.Detail]))
    .digest('base64');
}

/**
 * `AWSEvents.PutEvents` for `bus`: each entry accepted or failed as AWS would (plus the options'
 * saturation and failure injection), accepted events handed on after the answer is decided.
 */
function putEventsOperation(bus: BusIdentity, options: LocalEndpointOptions): OperationHandler {
  const seen = new Map<string, number>();
  const failureOf = (entry: PutEventsEntry, index: number): EntryFailure | undefined => {
    let failure = entryFailure(entry, bus);
    if (!failure && options.saturated?.())
      failure = { errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded: deliveries are behind.' };
    if (!failure && options.failEntry) {
      const key = contentKey(entry);
      const attempt = (seen.get(key) ?? 0) + 1;
      seen.set(key, attempt);
      failure = options.failEntry(entry, attempt, index);
    }
    return failure;
  };
  return (input) => {
    const entries = validateRequest(input);
    const accepted: BridgeEvent[] = [];
    const elsewhere: BridgeEvent[] = [];
    const now = new Date();
    const results = entries.map((entry, index) => {
      const failure = failureOf(entry, index);
      if (failure) return { ErrorCode: failure.errorCode, ErrorMessage: failure.errorMessage };
      const toDefault = destinationOf(entry, bus) === 'default';
      const event = toBridgeEvent(entry, toDefault ? { ...bus, busName: DEFAULT_BUS_NAME } : bus, now);
      (toDefault ? elsewhere : accepted).push(event);
      return { EventId: event.id };
    });
    if (accepted.length > 0 || elsewhere.length > 0)
      queueMicrotask(() => {
        // Background work after the answer: a failure here must not reach the event loop (it
        // would stop the process, and every client's in-memory data with it).
        try {
          for (const event of elsewhere) options.onDefaultBus?.(event);
          if (accepted.length > 0) options.onEvents?.(accepted);
        } catch (error) {
          options.onError?.(error as Error);
        }
      });
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  };
}

/** Answers one request with the operation its `X-Amz-Target` names, or an AWS-shaped error. */
async function handleRequest(
  operations: Readonly<Record<string, OperationHandler>>,
  request: IncomingMessage,
  response: ServerResponse,
  account: string,
): Promise<void> {
  try {
    if (request.method !== 'POST')
      throw new AwsServiceError('UnknownOperationException', 'Only POST requests are served.', 404);
    const body = await readBody(request);
    const target = request.headers['x-amz-target'];
    const operation = typeof target === 'string' ? operations[target] : undefined;
    if (!operation)
      throw new AwsServiceError(
        'UnknownOperationException',
        `Unknown operation ${JSON.stringify(target ?? null)}; this endpoint serves ${Object.keys(operations).join(', ')}.`,
      );
    sendJson(response, 200, await operation(parseJsonBody(body), callerOf(request, account)));
  } catch (error) {
    sendError(response, error);
  }
}

/**
 * Starts one AWS-compatible HTTP endpoint on 127.0.0.1 speaking AWS JSON: `AWSEvents.PutEvents`,
 * `AmazonSSM.GetParameter`, `AmazonSSM.PutParameter` and `AmazonSSM.GetParameterHistory`, plus any
 * `operations` given. Unmodified AWS
 * SDK clients and the AWS CLI work against it with `endpoint` / `--endpoint-url`. Requests that AWS
 * would refuse get AWS-shaped errors (`{"__type", "message"}`), and the endpoint keeps serving.
 */
export async function startLocalEndpoint(options: LocalEndpointOptions = {}): Promise<LocalEndpoint> {
  const bus: BusIdentity = { ...LOCAL_BUS, ...options.bus };
  const parameters = options.parameters ?? new LocalParameterStore(bus.region, bus.account);
  const operations: Record<string, OperationHandler> = {
    'AWSEvents.PutEvents': putEventsOperation(bus, options),
    'AmazonSSM.GetParameter': (input) => parameters.getParameter(input),
    'AmazonSSM.PutParameter': (input, caller) => parameters.putParameter(input, caller),
    'AmazonSSM.GetParameterHistory': (input) => parameters.getParameterHistory(input),
    ...options.operations,
  };
  const server = await listenOnLoopback(
    (request, response) => {
      void handleRequest(operations, request, response, bus.account);
    },
    {
      port: options.port,
      host: options.host,
      limits: options.limits,
      portTaken: (port) =>
        new LocalEndpointError(
          `port ${port} is already in use: stop what uses it or choose another port with --port`,
        ),
    },
  );
  return {
    url: server.url,
    port: server.port,
    bus,
    parameters,
    close: () => server.close(),
  };
}
