import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProfileReader } from '../../lambda/read-api/adapters/profile-reader.ts';
import { documentClient } from '../../lambda/shared/aws/dynamodb.ts';

import { statsOf } from '../../lambda/statistics/domain/stats.ts';
import { statsActivityOfItem } from '../../lambda/statistics/domain/stats-activity.ts';
import { localDynamoClient } from '../../local/clients.ts';
import { itemsOfUser } from '../support/dynamo.ts';
import { exampleDetail } from '../support/events.ts';
import { type PlannedEvent, shuffled, tournamentArbitrary } from '../support/tournament.ts';
import { sharedLoggedStack } from './local-stack.ts';
import { MIXED_BATCH_ANSWERS, python, tempFile } from './tools.ts';

const local = sharedLoggedStack();

type Outcome = Record<string, unknown> & { error?: string; status?: number };

// Each scenario is one Python process making many calls; a busy machine makes that slow.
describe('the local stack driven with boto3', { timeout: 600_000 }, () => {
  it('answers put_events per entry, refuses 11 entries with HTTP 400, and keeps serving', async () => {
    const detail = JSON.stringify(exampleDetail('CheckInToggled', { registrationId: 'boto-put' }));
    const result = await python<Record<string, Outcome>>(
      local.stack.endpoint,
      'boto3_calls.py',
      'put_events',
      JSON.stringify({ bus: 'tournaments', detail }),
    );
    const entries = result.batch?.Entries as Record<string, string>[];
    expect(entries.map((e) => e.ErrorCode ?? 'EventId')).toEqual([...MIXED_BATCH_ANSWERS]);
    expect(result.batch?.FailedEntryCount).toBe(4);
    expect(result.eleven).toEqual({ error: 'ValidationException', status: 400 });
    expect(result.after).toMatchObject({ FailedEntryCount: 0 });
    const defaultBusId = entries[5]?.EventId as string;
    await local.lineMatching(new RegExp(`^dropped .*${defaultBusId}.*default bus`));
  });

  it('answers put_parameter and get_parameter with the Parameter Store error codes', async () => {
    const name = `/compat/boto-${Date.now().toString(36)}`;
    const result = await python<Record<string, Outcome>>(
      local.stack.endpoint,
      'boto3_calls.py',
      'ssm',
      JSON.stringify({ name, arn: `arn:aws:ssm:us-east-1:000000000000:parameter${name}` }),
    );
    expect(result).toMatchObject({
      createWithoutType: { error: 'ValidationException', status: 400 },
      unknownType: { error: 'ValidationException', status: 400 },
      create: { Version: 1, Tier: 'Standard' },
      again: { error: 'ParameterAlreadyExists', status: 400 },
      overwrite: { Version: 2 },
      latest: { Parameter: { Name: name, Value: 'off', Version: 2, Type: 'String' } },
      version1: { Parameter: { Value: 'on', Version: 1, Selector: ':1' } },
      version9: { error: 'ParameterVersionNotFound', status: 400 },
      byArn: { Parameter: { Name: name, Value: 'off' } },
      missing: { error: 'ParameterNotFound', status: 400 },
      secure: { Version: 1 },
      secureRead: { Parameter: { Type: 'SecureString' } },
      secureDecrypted: { Parameter: { Type: 'SecureString', Value: 'on' } },
    });
    expect((result.secureRead?.Parameter as { Value?: string } | undefined)?.Value).not.toBe('on');
  });

  it('describes the archive, refuses wrong replays, and completes a replay it describes', async () => {
    const result = await python<Record<string, Outcome>>(
      local.stack.endpoint,
      'boto3_calls.py',
      'replay',
      JSON.stringify({ archive: 'tournaments-archive', name: `boto-${Date.now().toString(36)}` }),
    );
    expect(result.archive).toMatchObject({
      ArchiveName: 'tournaments-archive',
      ArchiveArn: 'arn:aws:events:us-east-1:000000000000:archive/tournaments-archive',
      EventSourceArn: 'arn:aws:events:us-east-1:000000000000:event-bus/tournaments',
      State: 'ENABLED',
    });
    expect(result.busAsSource).toEqual({ error: 'ResourceNotFoundException', status: 400 });
    expect(result.otherDestination).toEqual({ error: 'ValidationException', status: 400 });
    expect(result.start).toMatchObject({ State: 'STARTING' });
    expect(result.described).toMatchObject({ State: 'COMPLETED' });
    expect(result.sameName).toEqual({ error: 'ResourceAlreadyExistsException', status: 400 });
    expect(result.unknown).toEqual({ error: 'ResourceNotFoundException', status: 400 });
  });

  it('records a whole tournament sent twice through the Python hooks inside on_commit, exactly once', async () => {
    // Prepare: a generated tournament and the documented approval, every event twice, shuffled
    const prefix = `py${Date.now().toString(36)}-`;
    const planned = fc.sample(tournamentArbitrary(prefix), { numRuns: 1, seed: 17 })[0] ?? [];
    // The approval of docs/publishing.md's example, its instant in another spelling (the hooks canonicalize it).
    const approval: PlannedEvent = {
      detailType: 'RegistrationStatusChanged',
      detail: {
        tournamentId: `${prefix}t`,
        occurredAt: '2026-05-01T12:00:00+00:00',
        registrationId: `${prefix}reg`,
        status: 'approved',
        userIds: [`${prefix}u0`],
      },
    };
    const events = [...planned, approval];
    const twice = shuffled([...events, ...events], 3);

    // Act: the Python hooks publish them inside on_commit
    const outcome = await python<{ django: string; failed: string[]; rolledBackSent: number }>(
      local.stack.endpoint,
      'publish_tournament.py',
      tempFile('events.json', JSON.stringify(twice)),
      'tournaments',
    );
    expect(outcome).toMatchObject({ failed: [], rolledBackSent: 0 });
    await local.stack.settled();

    // Assess: every user's statistics equal the reference, each activity recorded by one copy
    const dynamo = localDynamoClient(local.stack.dynamodbEndpoint);
    const doc = documentClient(dynamo);
    const reader = new ProfileReader(doc, {
      activities: local.stack.tables.activities,
      stats: local.stack.tables.stats,
    });
    try {
      const users = new Set(
        events.flatMap((e) =>
          ((e.detail.participantUserIds ?? e.detail.userIds) as unknown[]).map((u) => String(u)),
        ),
      );
      let stored = 0;
      for (const userId of users) {
        const items = await itemsOfUser(doc, local.stack.tables.activities, userId);
        const activities = items.map(statsActivityOfItem);
        const { winRate: _winRate, ...stats } = await reader.stats(userId);
        expect(stats, userId).toMatchObject(statsOf(userId, activities));
        stored += stats.activityCount;
      }
      // Every activity was recorded by one of the two copies: the log's recorded counts add up to
      // what is stored, and nothing was dead-lettered.
      const mine = local.lines.filter((l) => l.includes(prefix));
      const recorded = mine.reduce((sum, l) => sum + Number(/(\d+) recorded/.exec(l)?.[1] ?? 0), 0);
      expect(stored).toBeGreaterThan(0);
      expect(recorded).toBe(stored);
      expect(mine.filter((l) => /^(invalid|failed|conflict)/.test(l))).toEqual([]);
    } finally {
      dynamo.destroy();
    }
  });
});
