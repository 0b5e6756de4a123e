import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { exampleDetail, fresh } from '../support/events.ts';
import { entry, javaPidsOnPort, npmStartedStack } from '../support/npm-start.ts';

const started = npmStartedStack();

describe('the local stack started as `npm start` does', () => {
  it('prints one ready line naming its real ports, the read API last', () => {
    expect(started.readyLines).toEqual([
      `ready: endpoint ${started.endpoint} dynamodb http://127.0.0.1:${started.dynamodbPort} api http://127.0.0.1:${started.apiPort}`,
    ]);
    expect(started.lines).toContainEqual(expect.stringMatching(/^api: IAM mode: .*not verified locally/));
    expect(javaPidsOnPort(started.dynamodbPort)).toHaveLength(1);
  });

  it('records events published with the EventBridge client and shows them through the CLI', async () => {
    // Prepare
    const [winner, loser, t] = [fresh('win'), fresh('lose'), fresh('t')];
    const finalized = exampleDetail('MatchFinalized', {
      tournamentId: t,
      matchId: fresh('m'),
      participantUserIds: [winner, loser],
      winnerUserIds: [winner],
    });

    // Act: the same finalization published twice in one request
    const response = await started.eventBridge.send(
      new PutEventsCommand({
        Entries: [entry('MatchFinalized', finalized), entry('MatchFinalized', finalized)],
      }),
    );

    // Assess: both accepted, the statistics shown by the CLI count the match once
    expect(response.FailedEntryCount).toBe(0);
    expect(response.Entries?.every((e) => typeof e.EventId === 'string')).toBe(true);

    let stats: Record<string, unknown> = {};
    const deadline = Date.now() + 120_000;
    while (stats.matchesWon !== 1 && Date.now() < deadline) {
      stats = (await started.tpi('stats', winner)).json as Record<string, unknown>;
      if (stats.matchesWon !== 1) await new Promise((r) => setTimeout(r, 100));
    }
    expect(stats).toMatchObject({
      userId: winner,
      matchesPlayed: 1,
      matchesWon: 1,
      matchesLost: 0,
      winRate: 1,
    });
    expect((await started.tpi('stats', loser)).json).toMatchObject({ matchesLost: 1, activityCount: 1 });
    // The same event sent twice is recorded once per user. The two copies are delivered
    // concurrently, so which copy records which user varies; the totals do not.
    const outcomeLines = () =>
      started.lines.filter((l) => l.includes(`match_finalized:${finalized.matchId}:`));
    await started.lineMatching(new RegExp(`match_finalized:${finalized.matchId}:.*\\n?`));
    const deadlineForBoth = Date.now() + 120_000;
    while (outcomeLines().length < 2 && Date.now() < deadlineForBoth)
      await new Promise((r) => setTimeout(r, 25));
    const total = (word: string) =>
      outcomeLines().reduce((sum, l) => sum + Number(new RegExp(`(\\d+) ${word}`).exec(l)?.[1] ?? 0), 0);
    expect(outcomeLines()).toHaveLength(2);
    expect({
      recorded: total('recorded'),
      duplicates: total('duplicate'),
      conflicts: total('conflict'),
    }).toEqual({
      recorded: 2,
      duplicates: 2,
      conflicts: 0,
    });
  });

  it('reports per-entry failures like EventBridge and accepts the valid entries of the request', async () => {
    const valid = entry('CheckInToggled', exampleDetail('CheckInToggled', { registrationId: fresh('r') }));
    const response = await started.eventBridge.send(
      new PutEventsCommand({
        Entries: [
          valid,
          { Source: 'tournaments', DetailType: 'CheckInToggled' },
          { ...valid, Detail: '{"not json' },
          { ...valid, Detail: '[1, 2]' },
        ],
      }),
    );
    expect(response.FailedEntryCount).toBe(3);
    expect(response.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual([
      'ok',
      'InvalidArgument',
      'MalformedDetail',
      'MalformedDetail',
    ]);
  });

  it('answers protocol errors in the AWS shape and keeps serving', async () => {
    // Act and assess: more entries than a request may carry
    const eleven = Array.from({ length: 11 }, () => entry('CheckInToggled', exampleDetail('CheckInToggled')));
    await expect(started.eventBridge.send(new PutEventsCommand({ Entries: eleven }))).rejects.toMatchObject({
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });

    // Act and assess: a body that is not JSON, and an operation that does not exist
    const raw = (target: string, body: string) =>
      fetch(started.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
        body,
      });
    const malformed = await raw('AWSEvents.PutEvents', '{"Entries": [');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({
      __type: 'SerializationException',
      message: expect.any(String),
    });
    const unknown = await raw('AWSEvents.DeleteEverything', '{}');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });

    // Act and assess: a valid request afterwards is served
    const after = await started.eventBridge.send(
      new PutEventsCommand({ Entries: [entry('CheckInToggled', exampleDetail('CheckInToggled'))] }),
    );
    expect(after.FailedEntryCount).toBe(0);
  });

  it('stops on SIGTERM without leaving DynamoDB Local behind', async () => {
    // Prepare
    const java = javaPidsOnPort(started.dynamodbPort);
    expect(java).toHaveLength(1);

    // Act
    const exited = new Promise<number | null>((resolve) =>
      started.process.once('exit', (code) => resolve(code)),
    );
    started.process.kill('SIGTERM');

    // Assess
    expect(await exited).toBe(0);
    expect(javaPidsOnPort(started.dynamodbPort)).toEqual([]);
    const pid = java[0] as number;
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
