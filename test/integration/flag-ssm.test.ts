import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SsmFlagReader } from '../../lambda/recording/adapters/flag-reader.ts';
import { FlagUnavailableError } from '../../lambda/recording/errors.ts';
import { createRecordHandler } from '../../lambda/recording/handler.ts';
import { recordingDependencies } from '../../lambda/recording/wiring.ts';
import type { FlagSetting } from '../../lambda/shared/contract/flag.ts';
import { LOCAL_AWS } from '../../local/clients.ts';
import { type LocalEndpoint, startLocalEndpoint } from '../../local/endpoint.ts';
import { createTestTables, scanAll, type TestTables } from '../support/dynamo.ts';
import { bridgeEvent, exampleDetail } from '../support/events.ts';

const NAME = '/tournament-profile/integration-enabled';
let endpoint: LocalEndpoint;
let db: TestTables;

/** An SSM client that fails fast: the SDK's own retries would only slow the fault tests down. */
const ssmAt = (url: string) => new SSMClient({ ...LOCAL_AWS, endpoint: url, maxAttempts: 1 });

/** A loopback URL nothing listens on: a real connection refusal, no mock needed. */
async function deadUrl(): Promise<string> {
  const closed = await startLocalEndpoint();
  await closed.close();
  return closed.url;
}

beforeAll(async () => {
  endpoint = await startLocalEndpoint();
  db = await createTestTables();
});
afterAll(() => endpoint.close());
afterEach(() => {
  vi.useRealTimers();
});

describe('the flag from SSM', () => {
  it('reads each value through the SSM API', async () => {
    const reader = new SsmFlagReader(ssmAt(endpoint.url), { parameterName: NAME, cacheSeconds: 0 });
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
    const reader = new SsmFlagReader(ssmAt(endpoint.url), { parameterName: NAME, cacheSeconds: 15 });
    expect((await reader.current()).mode).toBe('on');
    endpoint.parameters.put(NAME, 'off', { overwrite: true });
    vi.setSystemTime(Date.now() + 14_000);
    expect((await reader.current()).mode).toBe('on');
    vi.setSystemTime(Date.now() + 2_000);
    expect((await reader.current()).mode).toBe('off');
  });

  it('keeps the last known value when SSM becomes unreachable, and reports it', async () => {
    const flaky = await startLocalEndpoint();
    flaky.parameters.put(NAME, '30');
    const stale: FlagSetting[] = [];
    const reader = new SsmFlagReader(ssmAt(flaky.url), {
      parameterName: NAME,
      cacheSeconds: 0,
      onStale: (_error, lastKnown) => stale.push(lastKnown),
    });
    expect(await reader.current()).toMatchObject({ mode: 'percentage', percentage: 30 });
    await flaky.close();
    expect(await reader.current()).toMatchObject({ mode: 'percentage', percentage: 30 });
    expect(stale).toHaveLength(1);
  });

  it('fails on a cold start when SSM is unreachable, naming the parameter', async () => {
    const reader = new SsmFlagReader(ssmAt(await deadUrl()), { parameterName: NAME });
    await expect(reader.current()).rejects.toThrow(FlagUnavailableError);
    await expect(reader.current()).rejects.toThrow(NAME);
  });

  it('fails while the parameter does not exist', async () => {
    const reader = new SsmFlagReader(ssmAt(endpoint.url), { parameterName: '/not/created' });
    await expect(reader.current()).rejects.toThrow(FlagUnavailableError);
  });

  it('makes the recording handler fail, recording nothing, on a cold start without SSM', async () => {
    const record = createRecordHandler(
      recordingDependencies({
        client: db.doc,
        tables: db.names,
        flag: new SsmFlagReader(ssmAt(await deadUrl()), { parameterName: NAME }),
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
        flag: new SsmFlagReader(ssmAt(endpoint.url), { parameterName: NAME, cacheSeconds: 0 }),
      }),
    );
    expect(await record(bridgeEvent('CheckInToggled', exampleDetail('CheckInToggled')))).toMatchObject({
      status: 'processed',
      recorded: 0,
      skipped: 1,
      flag: 'enabled',
    });
  });
});
