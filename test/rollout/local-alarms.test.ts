import { describe, expect, it } from 'vitest';
import { auditNotRunningAlarm } from '../../lambda/audit/constants.ts';
import { STOP_CONDITION_DEFAULTS, stopConditionAlarmDefinitions } from '../../lambda/rollout/constants.ts';
import { METRIC } from '../../lambda/shared/observability.ts';
import { LocalAlarms } from '../../local/alarm-evaluator.ts';
import { LocalMetricStore } from '../../local/metric-store.ts';

const P = 1000;
const definitions = stopConditionAlarmDefinitions(STOP_CONDITION_DEFAULTS, 1).map((d) => ({
  ...d,
  periodSeconds: 1,
}));
const definition = (id: string) => definitions.find((d) => d.id === id) as (typeof definitions)[number];

/** A store, alarms and a clock the test moves: each period is one second, aligned like CloudWatch's. */
function world() {
  let now = 10 * P;
  const store = new LocalMetricStore({ now: () => now });
  const alarms = new LocalAlarms({ store, now: () => now });
  const state = (name: string) => alarms.all().find((a) => a.record.name === name)?.record.state;
  return {
    store,
    alarms,
    state,
    at: () => now,
    tick: () => {
      now += P;
      alarms.evaluate();
    },
  };
}

const included = {
  source: 'integration',
  metricName: METRIC.included,
  dimensions: { service: 'service' },
} as const;
const errors = {
  source: 'AWS/Lambda',
  metricName: 'Errors',
  dimensions: { FunctionName: 'recording-function' },
} as const;
const latency = (statistic: 'Average' | 'p99') =>
  ({
    source: 'AWS/DynamoDB',
    metricName: 'SuccessfulRequestLatency',
    dimensions: { TableName: 'activities-table', Operation: { value: 'PutItem' } },
    statistic,
  }) as const;

describe('the local metric store', () => {
  it('gives no data for a statistic CloudWatch does not publish: a percentile of DynamoDB latency', () => {
    const { store, at } = world();
    store.put(latency('Average'), 120, at());
    store.put(latency('Average'), 80, at());

    expect(store.statistic(latency('Average'), at(), at() + P)).toBe(100);
    expect(store.statistic(latency('p99'), at(), at() + P)).toBeUndefined();
  });

  it("computes percentiles where CloudWatch has them: the recording function's duration", () => {
    const { store, at } = world();
    const duration = {
      source: 'AWS/Lambda',
      metricName: 'Duration',
      dimensions: { FunctionName: 'recording-function' },
    } as const;
    for (let i = 1; i <= 100; i += 1) store.put(duration, i, at());

    expect(store.statistic({ ...duration, statistic: 'p99' }, at(), at() + P)).toBe(99);
  });
  it('keeps a running stack to its retention: datapoints older than it are dropped, newer ones kept', () => {
    // Prepare: an hour's retention, one datapoint a second for three hours
    let now = 0;
    const store = new LocalMetricStore({ now: () => now, retentionMs: 3_600 * P });

    // Act
    for (; now < 3 * 3_600 * P; now += P) store.put(included, 1);

    // Assess: at most the retention and the tenth of it a prune waits for, and the last hour whole
    expect(store.size).toBeLessThanOrEqual(1.1 * 3_600 + 1);
    expect(store.sumSince(included, now - 3_600 * P)).toBe(3_600);
  });
});

describe('the local alarms evaluate the declared definitions as CloudWatch does', () => {
  it('error rate: 2 of 3 periods above 0.1% of at least 200 included events goes to ALARM, one does not', () => {
    // Prepare
    const { store, alarms, state, at, tick } = world();
    alarms.addMetricAlarm('rate', definition('IntegrationErrorRate'));
    const period = (includedEvents: number, failures: number) => {
      store.put(included, includedEvents, at());
      if (failures > 0) store.put(errors, failures, at());
      tick();
    };

    // Act and assess: one breaching period, then a quiet one, is not enough; a second breach is.
    period(1000, 2);
    expect(state('rate')).toBe('OK');
    period(2000, 1);
    expect(state('rate')).toBe('OK');
    period(1000, 2);
    expect(state('rate')).toBe('ALARM');
    period(199, 5);
    period(199, 5);
    expect(state('rate')).toBe('OK');
  });

  it('missing data: not breaching for the error rate, ignored (state kept) for DynamoDB alarms', () => {
    const { store, alarms, state, at, tick } = world();
    alarms.addMetricAlarm('latency', definition('ActivitiesTableLatency'));
    store.put(latency('Average'), 500, at());
    tick();
    store.put(latency('Average'), 500, at());
    tick();
    expect(state('latency')).toBe('ALARM');

    // No request at all for three periods: DynamoDB publishes nothing, the alarm keeps its state.
    tick();
    tick();
    tick();
    expect(state('latency')).toBe('ALARM');
  });

  it('breaching missing data: the audit alarm fires after three periods without a run, once the stack ran that long', () => {
    const { store, alarms, state, at, tick } = world();
    alarms.addMetricAlarm('audit', auditNotRunningAlarm(1));
    const runs = {
      source: 'integration',
      metricName: 'AuditRuns',
      dimensions: { service: 'service' },
    } as const;
    store.put(runs, 1, at());
    tick();
    tick();
    expect(state('audit')).toBe('OK');
    tick();
    tick();
    expect(state('audit')).toBe('ALARM');
  });

  it('composites follow their children and tell listeners of each change', () => {
    const { alarms, state } = world();
    const changes: string[] = [];
    alarms.onChange((alarm) => changes.push(`${alarm.name}:${alarm.state}`));
    alarms.addCompositeAlarm('top', 'ALARM("kind")');
    alarms.addCompositeAlarm('kind', 'ALARM("Platform")');

    alarms.setAlarmState('Platform', 'ALARM', 'down');
    alarms.setAlarmState('Platform', 'OK', 'up');

    expect(state('top')).toBe('OK');
    expect(changes).toEqual(expect.arrayContaining(['Platform:ALARM', 'kind:ALARM', 'top:ALARM', 'top:OK']));
  });
});
