import type { IncomingMessage, ServerResponse } from 'node:http';
import { PARAMETERS_EXTENSION } from '../lambda/recording/index.ts';
import { sendError, sendJson } from './aws-json.ts';
import { type LoopbackServer, listenOnLoopback, type ServerLimits } from './endpoint.ts';
import { AwsServiceError, LocalEndpointError } from './errors.ts';
import type { LocalParameterStore } from './parameters.ts';

/** The session token the local stack's recording handler presents (Lambda's is the role's). */
export const LOCAL_SESSION_TOKEN = 'local-session-token';

/** Options of {@link startParametersExtension}. */
export interface ParametersExtensionOptions {
  /** The parameters it reads: the local endpoint's SSM store. */
  readonly parameters: LocalParameterStore;
  /** The session token every request must carry (Lambda's `AWS_SESSION_TOKEN`). */
  readonly token: string;
  /** Loopback port; 0 or omitted picks a free one. */
  readonly port?: number;
  readonly limits?: Partial<ServerLimits>;
}

/** `GetParameter`'s input from the extension's query string (`name`, `version` or `label`, `withDecryption`). */
function getParameterInput(url: URL): Record<string, unknown> {
  const name = url.searchParams.get('name');
  if (!name) throw new AwsServiceError('ValidationException', 'The query parameter name is required.');
  const version = url.searchParams.get('version');
  const label = url.searchParams.get('label');
  if (version && label) throw new AwsServiceError('ValidationException', 'Give version or label, not both.');
  const selector = version ?? label;
  return {
    Name: selector ? `${name}:${selector}` : name,
    WithDecryption: url.searchParams.get('withDecryption') === 'true',
  };
}

function answer(
  options: ParametersExtensionOptions,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  try {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method !== 'GET' || url.pathname !== PARAMETERS_EXTENSION.parameterPath)
      throw new AwsServiceError(
        'NotFound',
        `This emulation of the Parameters and Secrets extension serves GET ${PARAMETERS_EXTENSION.parameterPath}?name= only.`,
        404,
      );
    if (request.headers[PARAMETERS_EXTENSION.tokenHeader] !== options.token)
      throw new AwsServiceError(
        'Unauthorized',
        `Missing or wrong ${PARAMETERS_EXTENSION.tokenHeader} header: it must hold the function's AWS_SESSION_TOKEN.`,
        401,
      );
    sendJson(response, 200, options.parameters.getParameter(getParameterInput(url)));
  } catch (error) {
    sendError(response, error);
  }
}

/**
 * The AWS Parameters and Secrets Lambda Extension as the recording function meets it, on a loopback
 * port of its own: `GET /systemsmanager/parameters/get?name=` answers with SSM's `GetParameter`
 * response from the local parameter store, and a request without the function's session token is
 * refused, as the extension refuses it. Its cache is not emulated: the stack turns it off.
 * AWS documents neither the status codes nor the bodies of the refusals; here a missing token is
 * 401 and SSM's errors keep SSM's status and `{"__type", "message"}` body. The reader treats every
 * answer but 200 alike, so these choices do not change what recording does.
 */
export function startParametersExtension(options: ParametersExtensionOptions): Promise<LoopbackServer> {
  return listenOnLoopback((request, response) => answer(options, request, response), {
    port: options.port,
    limits: options.limits,
    portTaken: (port) =>
      new LocalEndpointError(
        `port ${port} is already in use: stop what uses it or let the stack pick a free port`,
      ),
  });
}
