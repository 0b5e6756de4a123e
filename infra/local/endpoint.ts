import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsServiceError, parseJsonBody, readBody, sendError, sendJson } from './aws-json.ts';
import { LocalParameterStore } from './parameters.ts';
import {
  type BridgeEvent,
  type BusIdentity,
  type EntryFailure,
  entryFailure,
  type PutEventsEntry,
  toBridgeEvent,
  validateRequest,
} from './put-events.ts';

/** The local endpoint could not start (port taken, ...). */
export class LocalEndpointError extends Error {
  override readonly name = 'LocalEndpointError';
}

/**
 * Decides that an entry fails although it is valid, to exercise a publisher's partial-failure path.
 * `attempt` counts how many times this endpoint has received an entry with the same Source,
 * DetailType and Detail (1 the first time), so a test can fail the first try and accept the resend;
 * `index` is the entry's position in its request.
 */
export type FailEntry = (entry: PutEventsEntry, attempt: number, index: number) => EntryFailure | undefined;

/** An operation served besides PutEvents and the SSM parameter calls, by its `X-Amz-Target`. */
export type OperationHandler = (input: Record<string, unknown>) => unknown;

/** Options of {@link startLocalEndpoint}. */
export interface LocalEndpointOptions {
  /** Loopback port; 0 or omitted picks a free one. */
  readonly port?: number;
  /** Bus name, region and account the events carry. @default tournaments, us-east-1, 000000000000 */
  readonly bus?: Partial<BusIdentity>;
  /** SSM parameters served by GetParameter/PutParameter. @default a new empty in-memory store */
  readonly parameters?: LocalParameterStore;
  /** Receives each request's accepted events, in entry order, after the response is decided. */
  readonly onEvents?: (events: readonly BridgeEvent[]) => void;
  /** Failure injection for publisher tests. */
  readonly failEntry?: FailEntry;
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

function contentKey(entry: PutEventsEntry): string {
  return createHash('sha256')
    .update(JSON.stringify([entry.Source, entry.DetailType, entry.Detail]))
    .digest('base64');
}

/**
 * Starts one AWS-compatible HTTP endpoint on 127.0.0.1 speaking AWS JSON 1.1: `AWSEvents.PutEvents`,
 * `AmazonSSM.GetParameter` and `AmazonSSM.PutParameter`, plus any `operations` given. Unmodified AWS
 * SDK clients and the AWS CLI work against it with `endpoint` / `--endpoint-url`. Requests that AWS
 * would refuse get AWS-shaped errors (`{"__type", "message"}`), and the endpoint keeps serving.
 */
export async function startLocalEndpoint(options: LocalEndpointOptions = {}): Promise<LocalEndpoint> {
  const bus: BusIdentity = { ...LOCAL_BUS, ...options.bus };
  const parameters = options.parameters ?? new LocalParameterStore(bus.region, bus.account);
  const seen = new Map<string, number>();

  const putEvents = (input: Record<string, unknown>) => {
    const entries = validateRequest(input);
    const accepted: BridgeEvent[] = [];
    const now = new Date();
    const results = entries.map((entry, index) => {
      let failure = entryFailure(entry, bus);
      if (!failure && options.failEntry) {
        const key = contentKey(entry);
        const attempt = (seen.get(key) ?? 0) + 1;
        seen.set(key, attempt);
        failure = options.failEntry(entry, attempt, index);
      }
      if (failure) return { ErrorCode: failure.errorCode, ErrorMessage: failure.errorMessage };
      const event = toBridgeEvent(entry, bus, now);
      accepted.push(event);
      return { EventId: event.id };
    });
    if (accepted.length > 0) queueMicrotask(() => options.onEvents?.(accepted));
    return { FailedEntryCount: entries.length - accepted.length, Entries: results };
  };

  const operations: Record<string, OperationHandler> = {
    'AWSEvents.PutEvents': putEvents,
    'AmazonSSM.GetParameter': (input) => parameters.getParameter(input),
    'AmazonSSM.PutParameter': (input) => parameters.putParameter(input),
    ...options.operations,
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
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
      sendJson(response, 200, await operation(parseJsonBody(body)));
    } catch (error) {
      sendError(
        response,
        error instanceof AwsServiceError
          ? error
          : new AwsServiceError('InternalFailure', `Internal failure: ${(error as Error).message}`, 500),
      );
    }
  };

  const server: Server = createServer((request, response) => {
    void handle(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new LocalEndpointError(
              `port ${options.port} is already in use: stop what uses it or choose another port with --port`,
            )
          : error,
      ),
    );
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    bus,
    parameters,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
