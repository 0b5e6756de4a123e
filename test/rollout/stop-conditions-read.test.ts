import { describe, expect, it } from 'vitest';
import {
  type AlarmChild,
  type AlarmDirectory,
  type AlarmRecord,
  alarmNamesInRule,
  auditBlockers,
  firingOf,
  readStopConditions,
} from '../../lambda/rollout/application/stop-conditions.ts';
import { StopConditionMissingError } from '../../lambda/rollout/errors.ts';

const TOP = 'Stack-StopConditions';

/** CloudWatch's alarms in memory: `ChildrenOfAlarmName` returns only the children that exist. */
function directory(alarms: readonly AlarmRecord[]): AlarmDirectory & { calls: string[] } {
  const byName = new Map(alarms.map((a) => [a.name, a]));
  const calls: string[] = [];
  return {
    calls,
    describe: async (names) => {
      calls.push(`describe ${names.join(',')}`);
      return names.flatMap((n) => (byName.has(n) ? [byName.get(n) as AlarmRecord] : []));
    },
    children: async (name) => {
      calls.push(`children ${name}`);
      return alarmNamesInRule(byName.get(name)?.rule ?? '').flatMap((n): AlarmChild[] => {
        const child = byName.get(n);
        return child ? [{ name: n, state: child.state, composite: child.rule !== undefined }] : [];
      });
    },
  };
}

const composites: AlarmRecord[] = [
  {
    name: TOP,
    state: 'ALARM',
    rule: `ALARM("${TOP}-IntegrationErrorRate") OR ALARM("${TOP}-TournamentOperations")`,
  },
  { name: `${TOP}-IntegrationErrorRate`, state: 'OK', rule: 'ALARM("Stack-ErrorRate-ABC")' },
  {
    name: `${TOP}-TournamentOperations`,
    state: 'ALARM',
    rule: 'ALARM("Stack-Publisher-DEF") OR ALARM("arn:aws:cloudwatch:eu-west-1:111122223333:alarm:PaymentsDown") OR ALARM("CheckoutDwn")',
  },
];

describe('reading the stop conditions from the top-level composite down', () => {
  it('reports which alarm fired, with its condition and reason, and the alarms a rule names that do not exist', async () => {
    // Prepare: a platform alarm named by ARN is in ALARM; another one is misspelled.
    const cloudWatch = directory([
      ...composites,
      { name: 'Stack-ErrorRate-ABC', state: 'OK' },
      { name: 'Stack-Publisher-DEF', state: 'OK' },
      { name: 'PaymentsDown', state: 'ALARM', reason: 'webhook errors' },
    ]);

    // Act
    const report = await readStopConditions(cloudWatch, TOP);

    // Assess
    expect(firingOf(report)).toEqual([
      { name: 'PaymentsDown', state: 'ALARM', reason: 'webhook errors', kind: 'tournament-operations' },
    ]);
    expect(report.alarms.map((a) => `${a.name}:${a.kind}`)).toEqual([
      'Stack-ErrorRate-ABC:integration-error-rate',
      'Stack-Publisher-DEF:tournament-operations',
      'PaymentsDown:tournament-operations',
    ]);
    expect(report.missing).toEqual([{ name: 'CheckoutDwn', namedBy: `${TOP}-TournamentOperations` }]);
    expect(cloudWatch.calls).toContain(`children ${TOP}`);
  });

  it('falls back on the composite itself when it is in ALARM and its children no longer are', async () => {
    const report = await readStopConditions(
      directory([
        ...composites.map((c) => ({ ...c, rule: c.name === TOP ? c.rule : '' })),
        { name: 'x', state: 'OK' },
      ]),
      TOP,
    );

    expect(firingOf(report).map((a) => a.name)).toEqual([TOP]);
  });

  it('refuses a top-level composite that does not exist, saying how to fix it', async () => {
    await expect(readStopConditions(directory([]), TOP)).rejects.toBeInstanceOf(StopConditionMissingError);
  });

  it('names the stopped audit as a blocker of raises, and nothing when it runs', async () => {
    const stopped = directory([
      { name: 'Stack-AuditNotRunning', state: 'ALARM', reason: 'no run in 3 periods' },
    ]);
    const running = directory([{ name: 'Stack-AuditNotRunning', state: 'OK' }]);

    expect(await auditBlockers(stopped, 'Stack-AuditNotRunning')).toEqual([
      'the scheduled audit is not running (Stack-AuditNotRunning is in ALARM: no run in 3 periods)',
    ]);
    expect(await auditBlockers(running, 'Stack-AuditNotRunning')).toEqual([]);
  });
});
