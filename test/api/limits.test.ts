import { connect, type Socket } from 'node:net';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_LIMITS, type ServerLimits, startLocalEndpoint } from '../../local/endpoint.ts';
import { startLocalProfileApi } from '../../local/read-api.ts';
import { waitFor } from '../support/wait.ts';

// Row 6 of issue 28: the API port has the endpoint's limits (headers in 10 s, the request in 30 s,
// 1,024 connections) through the one mechanism both use, and nothing listens beyond loopback. The
// limits are options, so these tests use short ones instead of waiting 10 s.

/** A read API whose requests never reach DynamoDB (every request here is refused or cut first). */
const api = (options: { limits?: Partial<ServerLimits>; host?: string } = {}) =>
  startLocalProfileApi({
    doc: {} as DynamoDBDocumentClient,
    tables: { activities: 'a', stats: 's' },
    ...options,
  });

/** A client connection and what the server sent on it until it closed. */
function open(url: string): { socket: Socket; received: () => string; closed: Promise<void> } {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let received = '';
  socket.on('data', (chunk) => {
    received += chunk.toString();
  });
  socket.on('error', () => {}); // a reset is a close too
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, received: () => received, closed };
}

/** Sends a request line, then one header byte at a time for as long as the connection stays open. */
async function trickle(url: string): Promise<string> {
  const client = open(url);
  client.socket.write('GET /users/me/stats HTTP/1.1\r\n');
  const drip = setInterval(() => client.socket.writable && client.socket.write('x'), 20);
  await client.closed;
  clearInterval(drip);
  return client.received();
}

describe('the API port has the endpoint limits', () => {
  it('uses the same defaults as the endpoint: headers 10 s, request 30 s, 1,024 connections, 10,240 header bytes', async () => {
    expect(DEFAULT_SERVER_LIMITS).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      maxConnections: 1024,
    });
    const started = await api();
    try {
      expect(started.limits).toEqual({ ...DEFAULT_SERVER_LIMITS, maxHeaderBytes: 10_240 });
    } finally {
      await started.close();
    }
  });

  it.each([
    ['the read API', (limits: Partial<ServerLimits>) => api({ limits })],
    ['the endpoint', (limits: Partial<ServerLimits>) => startLocalEndpoint({ limits })],
  ])('%s closes a connection whose headers trickle in, at the headers timeout (408)', async (_, start) => {
    // Prepare: a short headers timeout, and a request timeout beyond the test's own deadline
    const server = await start({ headersTimeoutMs: 300, requestTimeoutMs: 600_000 });
    try {
      // Act
      const answer = await trickle(server.url);
      // Assess: a 408 within the test's own deadline can only be the headers timeout's
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      await server.close();
    }
  });

  it('closes a connection that never sends a byte, at the headers timeout', async () => {
    const server = await api({ limits: { headersTimeoutMs: 300, requestTimeoutMs: 600_000 } });
    try {
      const idle = open(server.url);
      await idle.closed;
      expect(idle.received()).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      await server.close();
    }
  });

  it('closes connections beyond the cap as they connect, and serves again once one closes', async () => {
    // Prepare: two connections that hold their slot (headers never finish)
    const server = await api({
      limits: { maxConnections: 2, headersTimeoutMs: 600_000, requestTimeoutMs: 600_000 },
    });
    const holders = [open(server.url), open(server.url)];
    for (const holder of holders) holder.socket.write('GET / HTTP/1.1\r\n');
    try {
      // Act and assess: a third is accepted after them and closed at once, unanswered
      const third = open(server.url);
      third.socket.write('GET /users/me/stats HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
      await third.closed;
      expect(third.received()).toBe('');

      // Act and assess: once a holder leaves, a request is answered (403: it is unsigned)
      holders[0]?.socket.destroy();
      const answered = await waitFor('a request answered after a holder left', async () => {
        const next = open(server.url);
        next.socket.write('GET /users/me/stats HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n');
        await next.closed;
        return next.received().startsWith('HTTP/1.1 403') ? next.received() : undefined;
      });
      expect(answered).toMatch(/^HTTP\/1\.1 403 /);
    } finally {
      for (const holder of holders) holder.socket.destroy();
      await server.close();
    }
  });

  it('refuses limits Node cannot honour, saying which', async () => {
    await expect(api({ limits: { headersTimeoutMs: 2000, requestTimeoutMs: 1000 } })).rejects.toThrow(
      /headersTimeoutMs \(2000\) must not exceed requestTimeoutMs \(1000\)/,
    );
    await expect(api({ limits: { maxConnections: 0 } })).rejects.toThrow(
      /maxConnections must be a whole number > 0/,
    );
  });
});

describe('nothing listens beyond loopback', () => {
  it.each(['0.0.0.0', '::', '192.0.2.1', 'localhost', '::ffff:127.0.0.1', ''])(
    'the read API and the endpoint refuse host %j, saying why',
    async (host) => {
      await expect(api({ host })).rejects.toThrow(
        /listens on loopback only .* read and erase every user's data/,
      );
      await expect(startLocalEndpoint({ host })).rejects.toThrow(/listens on loopback only/);
    },
  );

  it('listens on the loopback address it is given', async () => {
    const started = await api({ host: '127.0.0.1' });
    try {
      expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await started.close();
    }
  });
});
