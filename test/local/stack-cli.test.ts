import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FLAG_PARAMETER_NAME } from '../../lambda/shared/contract/defaults.ts';
import { exampleDetail, fresh } from '../support/events.ts';
import { entry, npmStartedStack } from '../support/npm-start.ts';

const started = npmStartedStack();

describe('the local stack started as `npm start` does', () => {
  it('skips users while the flag is off and records again once it is on, within the cache time', async () => {
    // Act and assess: the flag turned off through SSM, as the CLI reads it
    const off = await started.ssm.send(
      new PutParameterCommand({
        Name: DEFAULT_FLAG_PARAMETER_NAME,
        Value: 'off',
        Type: 'String',
        Overwrite: true,
      }),
    );
    expect(off.Version).toBeGreaterThan(1);
    expect((await started.tpi('flag', 'get')).json).toMatchObject({ value: 'off', mode: 'off' });

    // Act and assess: events are skipped (the handler may still hold the old value for up to 1 s:
    // publish until the new one shows)
    const user = fresh('flag');
    const skipped = await started.publishUntilLogged(user, 'skipped');
    expect(skipped).toMatch(/0 recorded, 0 duplicate, 0 conflict, 1 skipped \(flag off\)/);

    // Act and assess: the flag turned on through the CLI, and events are recorded again
    expect((await started.tpi('flag', 'set', 'on')).code).toBe(0);
    const { Parameter } = await started.ssm.send(
      new GetParameterCommand({ Name: DEFAULT_FLAG_PARAMETER_NAME }),
    );
    expect(Parameter?.Value).toBe('on');
    expect(await started.publishUntilLogged(user, 'recorded')).toMatch(/^recorded/);
  });

  it('refuses a flag value the handler would treat as a misconfiguration (usage error)', async () => {
    const result = await started.tpi('flag', 'set', 'maybe');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/off, on/);
  });

  it('prints every list in one JSON shape, {items, nextCursor}', async () => {
    // Prepare: a user with a recorded check-in, and a dead letter
    const user = fresh('list');
    await started.eventBridge.send(
      new PutEventsCommand({
        Entries: [
          entry(
            'CheckInToggled',
            exampleDetail('CheckInToggled', { registrationId: fresh('r'), userIds: [user] }),
          ),
          entry('CheckInToggled', { occurredAt: 'not a time', userIds: [user] }),
        ],
      }),
    );
    await started.lineMatching(/^invalid +CheckInToggled/);

    // Act and assess: the whole list, a page of one, the next page, and the feed
    const letters = await started.tpi('dead-letters', 'list');
    expect(letters.code, letters.stderr).toBe(0);
    expect(letters.json).toEqual({ items: expect.any(Array), nextCursor: null });
    expect((letters.json as { items: unknown[] }).items.length).toBeGreaterThan(0);
    const page = await started.tpi('dead-letters', 'list', '--limit', '1');
    expect(page.code, page.stderr).toBe(0);
    expect(page.json).toEqual({ items: [expect.any(Object)], nextCursor: expect.any(String) });
    const next = await started.tpi(
      'dead-letters',
      'list',
      '--limit',
      '1',
      '--cursor',
      (page.json as { nextCursor: string }).nextCursor,
    );
    expect(next.code, next.stderr).toBe(0);
    expect(Object.keys(next.json as object).sort()).toEqual(['items', 'nextCursor']);
    const feed = await started.tpi('feed', user);
    expect(feed.code, feed.stderr).toBe(0);
    expect(Object.keys(feed.json as object).sort()).toEqual(['items', 'nextCursor']);
  });
});
