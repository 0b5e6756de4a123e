import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FLAG_PARAMETER_NAME } from '../../lambda/shared/contract/defaults.ts';
import { checkInEntry, fresh } from '../support/events.ts';
import { sharedLoggedStack } from './local-stack.ts';
import {
  awsCli,
  awsCliVersion,
  CLIENT_ENV,
  cliErrorCode,
  MIXED_BATCH_ANSWERS,
  requireClients,
  tempFile,
} from './tools.ts';

const local = sharedLoggedStack();

const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

async function putEvents(entries: unknown[]) {
  return awsCli(
    local.stack.endpoint,
    'events',
    'put-events',
    '--entries',
    `file://${tempFile('entries.json', JSON.stringify(entries))}`,
  );
}

// Each AWS CLI call starts a Python process: seconds apiece on a busy machine, hence the long limit.
describe('the local stack driven with the AWS CLI', { timeout: 600_000 }, () => {
  it('finds the AWS CLI and boto3 on this machine (.ci/run installs them when missing)', () => {
    requireClients();
    expect(awsCliVersion).toMatch(/^aws-cli\/[12]\./);
  });

  it('answers a put-events batch entry by entry as EventBridge does, and keeps serving after a 5,000-level entry', async () => {
    // Act: one batch mixing valid entries, refused ones and one for the default bus
    const [ok, noBus, byArn] = [fresh('cli-ok'), fresh('cli-default'), fresh('cli-arn')];
    const result = await putEvents([
      checkInEntry(ok),
      checkInEntry(fresh('x'), { Detail: '[1, 2]' }),
      checkInEntry(fresh('x'), { Source: 'aws.events' }),
      checkInEntry(fresh('x'), {
        EventBusName: 'arn:aws:events:eu-west-1:000000000000:event-bus/tournaments',
      }),
      checkInEntry(fresh('x'), { Detail: `${'['.repeat(5000)}${']'.repeat(5000)}` }),
      { ...checkInEntry(noBus), EventBusName: undefined },
      checkInEntry(byArn, { EventBusName: 'arn:aws:events:us-east-1:000000000000:event-bus/tournaments' }),
    ]);

    // Assess: answered entry by entry: the mixed batch, then the same bus named by its ARN
    expect(result.code, result.stderr).toBe(0);
    const response = json(result.stdout) as { FailedEntryCount: number; Entries: Record<string, string>[] };
    expect(response.Entries.map((e) => e.ErrorCode ?? (e.EventId ? 'EventId' : 'none'))).toEqual([
      ...MIXED_BATCH_ANSWERS,
      'EventId',
    ]);
    expect(response.FailedEntryCount).toBe(4);

    // The entry without a bus went to the default bus: accepted, never recorded, and said so.
    const defaultId = response.Entries[5]?.EventId as string;
    expect(await local.lineMatching(new RegExp(`^dropped .*${defaultId}.*default bus`))).toContain(
      'EventBusName',
    );
    await local.lineMatching(new RegExp(`checkin:${ok}:`));
    await local.lineMatching(new RegExp(`checkin:${byArn}:`));
    expect(local.lines.some((l) => l.includes(`checkin:${noBus}:`))).toBe(false);

    // Act and assess: the endpoint still serves
    const after = await putEvents([checkInEntry(fresh('after'))]);
    expect(json(after.stdout).FailedEntryCount).toBe(0);
  });

  it('refuses a request of 11 entries as a whole with ValidationException', async () => {
    const result = await putEvents(Array.from({ length: 11 }, () => checkInEntry(fresh('many'))));
    expect(result.code).not.toBe(0);
    expect(cliErrorCode(result)).toBe('ValidationException');
  });

  it('accepts an event no rule matches and logs it as dropped', async () => {
    const result = await putEvents([checkInEntry(fresh('typo'), { DetailType: 'CheckInToggle' })]);
    const id = (json(result.stdout).Entries as { EventId: string }[])[0]?.EventId as string;
    expect(
      await local.lineMatching(new RegExp(`^dropped +CheckInToggle ${id} \\(no rule matched`)),
    ).toBeTruthy();
  });

  it('answers SSM put-parameter and get-parameter by version and ARN, SecureString hidden, as Parameter Store does', async () => {
    const name = `/compat/${fresh('p')}`;
    const ssm = (...args: string[]) => awsCli(local.stack.endpoint, 'ssm', ...args);

    // Act and assess: creation needs a type, and overwriting needs --overwrite
    expect(cliErrorCode(await ssm('put-parameter', '--name', name, '--value', 'on'))).toBe(
      'ValidationException',
    );
    expect(
      json((await ssm('put-parameter', '--name', name, '--value', 'on', '--type', 'String')).stdout),
    ).toMatchObject({
      Version: 1,
    });
    expect(
      cliErrorCode(await ssm('put-parameter', '--name', name, '--value', 'off', '--type', 'String')),
    ).toBe('ParameterAlreadyExists');

    // Act and assess: reads by version and by ARN
    await ssm('put-parameter', '--name', name, '--value', 'off', '--overwrite');
    const first = json((await ssm('get-parameter', '--name', `${name}:1`)).stdout).Parameter as Record<
      string,
      unknown
    >;
    expect(first).toMatchObject({ Value: 'on', Version: 1, Selector: ':1' });
    const arn = first.ARN as string;
    expect(json((await ssm('get-parameter', '--name', arn)).stdout).Parameter).toMatchObject({
      Value: 'off',
      Version: 2,
    });
    expect(cliErrorCode(await ssm('get-parameter', '--name', `${name}:7`))).toBe('ParameterVersionNotFound');

    // Act and assess: a SecureString is hidden unless read with decryption
    await ssm('put-parameter', '--name', `${name}-secret`, '--value', 'on', '--type', 'SecureString');
    const hidden = json((await ssm('get-parameter', '--name', `${name}-secret`)).stdout).Parameter as Record<
      string,
      string
    >;
    expect(hidden.Type).toBe('SecureString');
    expect(hidden.Value).not.toContain('on');
    const shown = await ssm('get-parameter', '--name', `${name}-secret`, '--with-decryption');
    expect(json(shown.stdout).Parameter).toMatchObject({ Value: 'on' });
  });

  it('logs a warning when the flag is set to a value the handler treats as off', async () => {
    const set = (value: string) =>
      awsCli(
        local.stack.endpoint,
        'ssm',
        'put-parameter',
        '--name',
        DEFAULT_FLAG_PARAMETER_NAME,
        '--value',
        value,
        '--overwrite',
      );
    for (const value of ['50%']) {
      expect((await set(value)).code).toBe(0);
      expect(await local.lineMatching(new RegExp(`^warning .*"${value}" is misconfigured`))).toMatch(
        /treats it as off/,
      );
    }
    expect((await set('on')).code).toBe(0);
  });

  it("runs docs/deploy.md's replay snippet as written: archive ARN as source, then describe-replay", async () => {
    const published = await putEvents([checkInEntry(fresh('replayed'))]);
    expect(json(published.stdout).FailedEntryCount).toBe(0);
    await local.stack.settled();
    const deploy = readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8');
    const section = deploy.slice(deploy.indexOf('## Replay a window from the archive'));
    const snippet = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    // The stack outputs come from CloudFormation on AWS; locally they are given, the rest runs as written.
    const runnable = snippet.replace(/^(\w+)=\$\(aws cloudformation[\s\S]*?--output text\)\n/gm, '');
    expect(runnable).toContain('aws events start-replay');
    const outputs = local.stack.outputs();
    const script = `set -euo pipefail
aws() { command aws --endpoint-url "${local.stack.endpoint}" --output json "$@"; }
BUS_ARN='${outputs.EventBusArn}'
ARCHIVE='${outputs.ArchiveName}'
${runnable}`;
    const result = await promisify(execFile)('bash', ['-c', script], { env: CLIENT_ENV }).catch(
      (error: { stdout: string; stderr: string; code: number }) => error,
    );
    expect((result as { stderr: string }).stderr).not.toMatch(/error/i);
    expect((result as { stdout: string }).stdout).toMatch(/"(RUNNING|COMPLETED)"/);
  });

  it('refuses a replay from the bus ARN, onto another bus, or under a name already used', async () => {
    const events = (...args: string[]) => awsCli(local.stack.endpoint, 'events', ...args);
    const archive = json((await events('describe-archive', '--archive-name', 'tournaments-archive')).stdout);
    const window = ['--event-start-time', '2026-01-01T00:00:00Z', '--event-end-time', '2026-01-02T00:00:00Z'];
    const name = fresh('cli-replay');
    const start = (source: string, destination: string, replayName = name) =>
      events(
        'start-replay',
        '--replay-name',
        replayName,
        '--event-source-arn',
        source,
        ...window,
        '--destination',
        JSON.stringify({ Arn: destination }),
      );
    const bus = archive.EventSourceArn as string;

    // Act and assess: from the bus, onto another bus, then a good replay and the same name again
    expect(cliErrorCode(await start(bus, bus))).toBe('ResourceNotFoundException');
    expect(cliErrorCode(await start(archive.ArchiveArn as string, bus.replace(/tournaments$/, 'nope')))).toBe(
      'ValidationException',
    );
    expect((await start(archive.ArchiveArn as string, bus)).code).toBe(0);
    expect(cliErrorCode(await start(archive.ArchiveArn as string, bus))).toBe(
      'ResourceAlreadyExistsException',
    );
    expect(json((await events('describe-replay', '--replay-name', name)).stdout)).toMatchObject({
      ReplayName: name,
      EventSourceArn: archive.ArchiveArn,
    });
  });

  it('shows the tables to `aws dynamodb list-tables` with any dummy credentials and region', async () => {
    const result = await awsCli(
      local.stack.dynamodbEndpoint,
      'dynamodb',
      'list-tables',
      '--region',
      'eu-west-1',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(json(result.stdout).TableNames).toEqual(expect.arrayContaining(Object.values(local.stack.tables)));
  });
});
