import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, inject, it } from 'vitest';
import { bridgeEvent, exampleDetail } from '../support/events.ts';

const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
const SECRET = 'SENSITIVE-PAYLOAD-VALUE';

/** Runs the handler in a fresh process with Powertools logging at `level`; returns stdout and stderr, which Lambda both ships to CloudWatch. */
function runHandler(events: unknown[], level: string, flag = 'on'): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [tsxCli, 'test/reliability/fixtures/log-probe.ts'],
      {
        env: {
          ...process.env,
          POWERTOOLS_LOG_LEVEL: level,
          POWERTOOLS_METRICS_DISABLED: 'false',
          DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
          TABLE_PREFIX: `logs${randomUUID().slice(0, 8)}-`,
          FLAG: flag,
        },
        timeout: 240_000,
      },
      (error, stdout, stderr) => (error ? reject(error) : resolve(`${stdout}\n${stderr}`)),
    );
    child.stdin?.end(events.map((e) => JSON.stringify(e)).join('\n'));
  });
}

describe('logs at INFO', () => {
  it('carry ids and outcomes but never a payload field, for recorded, duplicate, skipped, conflicting and invalid events', async () => {
    // Prepare: a detail full of private values, recorded, duplicated, conflicting and invalid
    const detail = exampleDetail('MatchFinalized', {
      matchId: `lm${randomUUID().slice(0, 6)}`,
      participantUserIds: ['lu1', 'lu2'],
      winnerUserIds: ['lu1'],
      privateNotes: SECRET,
      contact: { email: `${SECRET}@example.com` },
    });
    const events = [
      bridgeEvent('MatchFinalized', detail),
      bridgeEvent('MatchFinalized', detail),
      bridgeEvent('MatchFinalized', { ...detail, privateNotes: `${SECRET}-changed` }),
      bridgeEvent('RegistrationStatusChanged', {
        ...exampleDetail('RegistrationStatusChanged'),
        status: SECRET,
        note: SECRET,
      }),
      bridgeEvent('CheckInToggled', { ...exampleDetail('CheckInToggled'), checkedIn: SECRET }),
    ];

    // Act
    const stdout = await runHandler(events, 'INFO');

    // Assess
    const lines = stdout.split('\n').filter(Boolean);
    const messages = lines.map((line) => (JSON.parse(line) as { message?: string }).message).filter(Boolean);
    // The logs are there (this is no silent run), and none repeats what the publisher sent.
    expect(messages).toEqual(
      expect.arrayContaining([
        'event processed',
        'event rejected and stored as a dead letter',
        expect.stringMatching(/idempotency conflict/),
      ]),
    );
    expect(stdout).not.toContain(SECRET);
    expect(stdout).not.toContain('example.com');
    expect(stdout).not.toContain('"detail"');
    expect(stdout).toContain(String(detail.matchId));
  }, 300_000);

  it('stay payload-free with the flag off (everything skipped)', async () => {
    const detail = exampleDetail('CheckInToggled', {
      registrationId: `lr${randomUUID().slice(0, 6)}`,
      note: SECRET,
    });
    const stdout = await runHandler([bridgeEvent('CheckInToggled', detail)], 'INFO', 'off');
    expect(stdout).toContain('event processed');
    expect(stdout).not.toContain(SECRET);
  }, 300_000);
});
