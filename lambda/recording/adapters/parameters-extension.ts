import { request } from 'node:http';
import { FLAG_READ_TIMEOUT_MS, PARAMETERS_EXTENSION } from '../constants.ts';
import { ParametersExtensionError } from '../errors.ts';

/** Where the AWS Parameters and Secrets Lambda Extension listens and the token it asks for. */
export interface ParametersExtension {
  /** `http://localhost:2773` in Lambda; the local stack's emulation elsewhere. */
  readonly url: string;
  /** The function's `AWS_SESSION_TOKEN`. */
  readonly token: string;
  /** @default FLAG_READ_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

/**
 * One GET on the extension's loopback port. `node:http`, which the SDK's HTTP handler has loaded
 * already, rather than `fetch`, whose first call loads its own HTTP stack (tens of ms, measured).
 */
function get(url: URL, extension: ParametersExtension): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const call = request(url, {
      method: 'GET',
      headers: { [PARAMETERS_EXTENSION.tokenHeader]: extension.token },
      signal: AbortSignal.timeout(extension.timeoutMs ?? FLAG_READ_TIMEOUT_MS),
    });
    call.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    call.on('error', reject);
    call.end();
  });
}

/**
 * The value of a `String` parameter through the extension (`undefined` when it has none): the body
 * is SSM's `GetParameter` response. Any other answer throws, naming the status and what the
 * extension said, so the reader can fall back to its last value or have the event retried.
 */
export async function parameterThroughExtension(
  extension: ParametersExtension,
  name: string,
): Promise<string | undefined> {
  const url = new URL(PARAMETERS_EXTENSION.parameterPath, extension.url);
  url.searchParams.set('name', name);
  const { status, body } = await get(url, extension);
  if (status !== 200)
    throw new ParametersExtensionError(
      `the Parameters and Secrets extension answered ${status} for ${name}: ${body.slice(0, 500)}`,
    );
  const parsed = JSON.parse(body) as { Parameter?: { Value?: unknown } };
  const value = parsed.Parameter?.Value;
  return typeof value === 'string' ? value : undefined;
}
