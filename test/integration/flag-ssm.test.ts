import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SsmFlagReader } from '../../lambda/recording/adapters/flag-reader.ts';
import { recordingConfig } from '../../lambda/recording/config.ts';
import { PARAMETERS_EXTENSION } from '../../lambda/recording/constants.ts';
import { FlagUnavailableError } from '../../lambda/recording/errors.ts';
import { createRecordHandler } from '../../lambda/recording/handler.ts';
import { recordingDependencies } from '../../lambda/recording/wiring.ts';
import type { FlagSetting } from '../../lambda/shared/contract/flag.ts';
import { ConfigurationError } from '../../lambda/shared/errors.ts';
import { type LocalEndpoint, type LoopbackServer, startLocalEndpoint } from '../../local/endpoint.ts';
import { LOCAL_SESSION_TOKEN, startParametersExtension } from '../../local/parameters-extension.ts';
import { createTestTables, scanAll, type TestTables } from '../support/dynamo.ts';
import { bridgeEvent, exampleDetail } from '../support/events.ts';

const NAME = '/tournament-profile/integration-enabled';
let endpoint: LocalEndpoint;
let extension: LoopbackServer;
let db: TestTables;

/** The extension as the function reaches it: its URL and the function's session token. */
const at = (url: string, token = LOCAL_SESSION_TOKEN) => ({ url, token });

/** A loopback URL nothing listens on: a real connection refusal, no mock needed. */
async function deadUrl(): Promise<string> {
  const closed = await startParametersExtension({
    parameters: endpoint.parameters,
    token: LOCAL_SESSION_TOKEN,
  });
  await closed.close();
  return closed.url;
}

beforeAll(async () => {
  endpoint = await startLocalEndpoint();
  extension = await startParametersExtension({ parameters: endpoint.parameters, token: LOCAL_SESSION_TOKEN });
  db = await createTestTables();
});
afterAll(async () => {
  await extension.close();
  await endpoint.close();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the flag from SSM through the Parameters and Secrets extension', () => {
  it('reads each value through the extension', async () => {
    const reader = new SsmFlagReader({ parameterName: NAME, extension: at(extension.url), cacheSeconds: 0 });
    for (const [raw, mode] of [
      ['off', 'off'],
      ['on', 'on'],
      ['40', 'percentage'],
    ] as const) {
      endpoint.parameters.put(NAME, raw, { overwrite: true });
      expect((await reader.current()).mode).toBe(mode);
    }
  });

  it('keeps a value for the cache time, then picks up a change without a deploy', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    endpoint.parameters.put(NAME, 'on', { overwrite: true });
    const reader = new SsmFlagReader({ parameterName: NAME, extension: at(extension.url), cacheSeconds: 15 });
    expect((await reader.current()).mode).toBe('on');
    endpoint.parameters.put(NAME, 'off', { overwrite: true });
    vi.setSystemTime(Date.now() + 14_000);
    expect((await reader.current()).mode).toBe('on');
    vi.setSystemTime(Date.now() + 2_000);
    expect((await reader.current()).mode).toBe('off');
  });

  it('keeps the last known value when SSM becomes unreachable, and reports it', async () => {
    endpoint.parameters.put(NAME, '30', { overwrite: true });
    const flaky = await startParametersExtension({
      parameters: endpoint.parameters,
      token: LOCAL_SESSION_TOKEN,
    });
    const stale: FlagSetting[] = [];
    const reader = new SsmFlagReader({
      parameterName: NAME,
      extension: at(flaky.url),
      cacheSeconds: 0,
      onStale: (_error, lastKnown) => stale.push(lastKnown),
    });
    expect(await reader.current()).toMatchObject({ mode: 'percentage', percentage: 30 });
    await flaky.close();
    expect(await reader.current()).toMatchObject({ mode: 'percentage', percentage: 30 });
    expect(stale).toHaveLength(1);
  });

  it('fails on a cold start when SSM is unreachable, naming the parameter', async () => {
    const reader = new SsmFlagReader({ parameterName: NAME, extension: at(await deadUrl()) });
    await expect(reader.current()).rejects.toThrow(FlagUnavailableError);
    await expect(reader.current()).rejects.toThrow(NAME);
  });

  it('fails while the parameter does not exist', async () => {
    const reader = new SsmFlagReader({ parameterName: '/not/created', extension: at(extension.url) });
    await expect(reader.current()).rejects.toThrow(FlagUnavailableError);
  });

  it('makes the recording handler fail, recording nothing, on a cold start without SSM', async () => {
    const record = createRecordHandler(
      recordingDependencies({
        client: db.doc,
        tables: db.names,
        flag: new SsmFlagReader({ parameterName: NAME, extension: at(await deadUrl()) }),
      }),
    );
    await expect(record(bridgeEvent('CheckInToggled', exampleDetail('CheckInToggled')))).rejects.toThrow(
      FlagUnavailableError,
    );
    expect(await scanAll(db.doc, db.names.activities)).toEqual([]);
  });

  it('records nothing while the value is misconfigured', async () => {
    endpoint.parameters.put(NAME, 'enabled', { overwrite: true });
    const record = createRecordHandler(
      recordingDependencies({
        client: db.doc,
        tables: db.names,
        flag: new SsmFlagReader({ parameterName: NAME, extension: at(extension.url), cacheSeconds: 0 }),
      }),
    );
    expect(await record(bridgeEvent('CheckInToggled', exampleDetail('CheckInToggled')))).toMatchObject({
      status: 'processed',
      recorded: 0,
      skipped: 1,
      flag: 'enabled',
    });
  });

  it("is refused by the extension without the function's session token, and says why", async () => {
    endpoint.parameters.put(NAME, 'on', { overwrite: true });
    const reader = new SsmFlagReader({ parameterName: NAME, extension: at(extension.url, 'another-token') });
    const failure = await reader.current().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FlagUnavailableError);
    expect(String((failure as Error).cause)).toMatch(/answered 401.*x-aws-parameters-secrets-token/);
  });

  it('gives up on an extension that does not answer within the read timeout', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const reader = new SsmFlagReader({ parameterName: NAME, extension: { ...at(url), timeoutMs: 50 } });
      await expect(reader.current()).rejects.toThrow(FlagUnavailableError);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});

describe('the emulated Parameters and Secrets extension', () => {
  const get = (path: string, init: RequestInit = {}) =>
    fetch(new URL(path, extension.url), {
      ...init,
      headers: { [PARAMETERS_EXTENSION.tokenHeader]: LOCAL_SESSION_TOKEN, ...init.headers },
    });

  it("answers with SSM's GetParameter response, a version included", async () => {
    endpoint.parameters.put(NAME, '25', { overwrite: true });
    const version = endpoint.parameters.get(NAME)?.version as number;
    endpoint.parameters.put(NAME, '50', { overwrite: true });
    const latest = await get(`${PARAMETERS_EXTENSION.parameterPath}?name=${encodeURIComponent(NAME)}`);
    expect(latest.status).toBe(200);
    expect(await latest.json()).toMatchObject({
      Parameter: { Name: NAME, Value: '50', Version: version + 1 },
    });
    const older = await get(
      `${PARAMETERS_EXTENSION.parameterPath}?name=${encodeURIComponent(NAME)}&version=${version}`,
    );
    expect(await older.json()).toMatchObject({ Parameter: { Value: '25', Version: version } });
  });

  it("keeps SSM's refusal for a parameter that does not exist", async () => {
    const missing = await get(`${PARAMETERS_EXTENSION.parameterPath}?name=/not/created`);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ __type: 'ParameterNotFound' });
  });

  it('serves its one route to GET only', async () => {
    expect((await get(`${PARAMETERS_EXTENSION.parameterPath}?name=${NAME}`, { method: 'POST' })).status).toBe(
      404,
    );
    expect((await get('/secretsmanager/get?secretId=x')).status).toBe(404);
  });
});

describe("recording's configuration of the extension", () => {
  const env = { ACTIVITY_TABLE_NAME: 'A', DEAD_LETTER_TABLE_NAME: 'D', STATS_TABLE_NAME: 'S' };

  it('reads the extension on the port the layer settings name, with the session token Lambda sets', () => {
    const config = recordingConfig({
      ...env,
      AWS_SESSION_TOKEN: 'token',
      PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '2999',
    });
    expect(config.flagExtension).toEqual({ url: 'http://localhost:2999', token: 'token' });
    expect(recordingConfig({ ...env, AWS_SESSION_TOKEN: 'token' }).flagExtension.url).toBe(
      `http://localhost:${PARAMETERS_EXTENSION.defaultPort}`,
    );
  });

  it('refuses to start without a session token, naming it', () => {
    expect(() => recordingConfig(env)).toThrow(ConfigurationError);
    expect(() => recordingConfig(env)).toThrow(/AWS_SESSION_TOKEN/);
  });
});
