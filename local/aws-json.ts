import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { AwsServiceError } from './errors.ts';

/** Content type of the AWS JSON 1.1 protocol (EventBridge, SSM). */
export const AWS_JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** Request bodies above this are refused before parsing (PutEvents allows about 1 MB of entries). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Reads a request body, refusing bodies no AWS JSON operation would accept. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new AwsServiceError('RequestEntityTooLargeException', 'Request body is too large.', 413);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses an AWS JSON body; an empty body is `{}` as the SDK sends for inputs without members. */
export function parseJsonBody(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new AwsServiceError(
      'SerializationException',
      'Start of structure or map found where not expected.',
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new AwsServiceError(
      'SerializationException',
      'Start of structure or map found where not expected.',
    );
  return parsed as Record<string, unknown>;
}

/** Writes an AWS JSON 1.1 response. */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': AWS_JSON_CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(text);
}

/**
 * Writes an error in the shape the AWS SDK parses (`__type` names the exception). Anything but an
 * {@link AwsServiceError} is a fault of the local server: `InternalFailure`, 500, as AWS answers one.
 */
export function sendError(response: ServerResponse, error: unknown): void {
  const failure =
    error instanceof AwsServiceError
      ? error
      : new AwsServiceError('InternalFailure', `Internal failure: ${(error as Error).message}`, 500);
  response.setHeader('x-amzn-errortype', failure.type);
  sendJson(response, failure.status, { __type: failure.type, message: failure.message });
}

/** Latest instant a timestamp member may carry: the last second of year 9999 (ISO-8601's four-digit years). */
const LATEST_TIMESTAMP_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * A timestamp member as AWS JSON carries it: epoch seconds (number), or an ISO string from
 * hand-written requests. Instants outside years 0000-9999 are refused: they come from epoch
 * milliseconds sent where seconds belong (1.7e12 s is the year 58375).
 */
export function readTimestamp(value: unknown, member: string): Date {
  const date =
    typeof value === 'number'
      ? new Date(value * 1000)
      : typeof value === 'string'
        ? new Date(value)
        : undefined;
  if (!date || Number.isNaN(date.getTime()))
    throw new AwsServiceError('ValidationException', `${member} must be a timestamp.`);
  if (date.getTime() > LATEST_TIMESTAMP_MS || date.getUTCFullYear() < 0)
    throw new AwsServiceError(
      'ValidationException',
      `${member} ${String(value)} is not a valid timestamp: it is after the year 9999 (epoch milliseconds sent as seconds?).`,
    );
  return date;
}

/** A required string member, or a ValidationException naming it. */
export function requireString(input: Record<string, unknown>, member: string): string {
  const value = input[member];
  if (typeof value !== 'string' || value === '')
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must not be null`,
    );
  return value;
}
