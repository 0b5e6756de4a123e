import type {
  AlarmChild,
  AlarmDirectory,
  AlarmRecord,
} from '../lambda/rollout/application/stop-conditions.ts';
import { alarmNamesInRule } from '../lambda/rollout/application/stop-conditions.ts';
import type { AlarmState } from '../lambda/rollout/domain/rollout.ts';
import { breaches, signalValue } from '../lambda/rollout/domain/stop-conditions.ts';
import { type AlarmDefinition, type MissingData, signalMetrics } from '../lambda/shared/observability.ts';
import type { LocalMetricStore } from './metric-store.ts';

/**
 * CloudWatch's alarms, locally: metric alarms evaluated from declared definitions over the local
 * metric store with CloudWatch's rules (periods aligned to the clock, M of N over the last N
 * complete periods, missing data as the alarm says, `AWS/DynamoDB` alarms ignoring missing data),
 * composite alarms over their rule, and alarms set from outside (the platform's, `SetAlarmState`).
 *
 * One difference, on purpose: CloudWatch evaluates a new alarm over periods from before it existed,
 * so an alarm that treats missing data as breaching (the audit's not-running alarm) starts in ALARM
 * after a first deploy; locally only periods that ended after the alarm was created count, so a
 * freshly started local stack is not held by a history it never had.
 */

type StateValue = AlarmState['state'];

interface Alarm {
  readonly name: string;
  state: StateValue;
  reason: string;
  updatedAt: number;
  /** When it was created: periods that ended before are not evaluated (see {@link LocalAlarms}). */
  readonly createdAt: number;
  /** A metric alarm's declaration; unset for a composite or an alarm set from outside. */
  readonly definition?: AlarmDefinition;
  /** A composite alarm's rule. */
  readonly rule?: string;
}

/** Told when an alarm changes state. */
export type AlarmListener = (alarm: AlarmRecord, previous: StateValue) => void;

/** Options of {@link LocalAlarms}. */
export interface LocalAlarmsOptions {
  readonly store: LocalMetricStore;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * "Alarms that evaluate metrics in the AWS/DynamoDB namespace always ignore missing data even if you
 * choose a different option for TreatMissingData" (PutMetricAlarm,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html).
 */
function missingDataOf(definition: AlarmDefinition): MissingData {
  const dynamo = signalMetrics(definition.signal).some((metric) => metric.source === 'AWS/DynamoDB');
  return dynamo ? 'ignore' : definition.treatMissingData;
}

/** The local alarms; also the stop conditions' {@link AlarmDirectory}. */
export class LocalAlarms implements AlarmDirectory {
  private readonly alarms = new Map<string, Alarm>();
  private readonly listeners: AlarmListener[] = [];
  private readonly now: () => number;

  constructor(private readonly options: LocalAlarmsOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A metric alarm from its declaration; INSUFFICIENT_DATA until its first evaluation. */
  addMetricAlarm(name: string, definition: AlarmDefinition): void {
    this.alarms.set(name, {
      name,
      definition,
      state: 'INSUFFICIENT_DATA',
      reason: 'Unchecked: Initial alarm creation',
      updatedAt: this.now(),
      createdAt: this.now(),
    });
  }

  /** A composite alarm over `rule` (`ALARM("a") OR ALARM("b") ...`). */
  addCompositeAlarm(name: string, rule: string): void {
    this.alarms.set(name, {
      name,
      rule,
      state: 'INSUFFICIENT_DATA',
      reason: 'Unchecked: Initial alarm creation',
      updatedAt: this.now(),
      createdAt: this.now(),
    });
  }

  /** Calls `listener` on every state change from now on. */
  onChange(listener: AlarmListener): void {
    this.listeners.push(listener);
  }

  /**
   * Sets an alarm's state, as `SetAlarmState` does; an alarm the stack does not define is created
   * (the local stand-in for the platform's own alarms, which exist only once set). A metric alarm
   * goes back to what its data says at its next evaluation.
   */
  setAlarmState(name: string, state: StateValue, reason: string): void {
    const alarm = this.alarms.get(name) ?? {
      name,
      state: 'INSUFFICIENT_DATA' as StateValue,
      reason,
      updatedAt: this.now(),
      createdAt: this.now(),
    };
    this.alarms.set(name, alarm);
    this.transition(alarm, state, reason);
    this.evaluateComposites();
  }

  /** Evaluates every metric alarm at the clock's time, then the composites; tells listeners of changes. */
  evaluate(): void {
    for (const alarm of this.alarms.values())
      if (alarm.definition) this.evaluateMetric(alarm, alarm.definition);
    this.evaluateComposites();
  }

  private evaluateMetric(alarm: Alarm, definition: AlarmDefinition): void {
    const period = definition.periodSeconds * 1000;
    const end = Math.floor(this.now() / period) * period;
    const values: (number | undefined)[] = [];
    for (let i = definition.evaluationPeriods; i >= 1; i -= 1) {
      const start = end - i * period;
      if (start + period <= alarm.createdAt) continue;
      const read = (m: Parameters<LocalMetricStore['statistic']>[0]) =>
        this.options.store.statistic(m, start, start + period);
      const present = signalMetrics(definition.signal).some((m) => read(m) !== undefined);
      values.push(present ? signalValue(definition.signal, read) : undefined);
    }
    const missing = missingDataOf(definition);
    if (values.length === 0) return; // no period since the alarm was created has ended
    // "When an AWS/DynamoDB metric has missing data, alarms that evaluate that metric remain in
    // their current state": an ignoring alarm judges only when its latest period has data.
    if (missing === 'ignore' && values.at(-1) === undefined) return;
    const judged = values.flatMap((v) =>
      v === undefined
        ? missing === 'breaching'
          ? [true]
          : missing === 'notBreaching'
            ? [false]
            : []
        : [breaches(definition, v)],
    );
    if (judged.length === 0) {
      if (missing === 'missing')
        this.transition(
          alarm,
          'INSUFFICIENT_DATA',
          'Insufficient Data: no datapoints were received for the evaluation periods.',
        );
      return; // `ignore`: the state is maintained
    }
    const breaching = judged.filter(Boolean).length;
    const shown = values
      .map((v) => (v === undefined ? 'missing' : String(Math.round(v * 1000) / 1000)))
      .join(', ');
    const reason = `Threshold Crossed: ${breaching} out of the last ${definition.evaluationPeriods} datapoints [${shown}] ${breaching >= definition.datapointsToAlarm ? 'breached' : 'did not breach'} the threshold (${definition.threshold}, ${definition.comparison}); ${definition.datapointsToAlarm} needed.`;
    this.transition(alarm, breaching >= definition.datapointsToAlarm ? 'ALARM' : 'OK', reason);
  }

  /** Composites over ORs of `ALARM(...)`: in ALARM while a child that exists is; innermost first. */
  private evaluateComposites(): void {
    const composites = [...this.alarms.values()].filter((a) => a.rule !== undefined);
    for (let pass = 0; pass < composites.length; pass += 1)
      for (const composite of composites) {
        const firing = alarmNamesInRule(composite.rule ?? '').filter(
          (name) => this.alarms.get(name)?.state === 'ALARM',
        );
        this.transition(
          composite,
          firing.length > 0 ? 'ALARM' : 'OK',
          firing.length > 0 ? `${firing.join(', ')} in ALARM` : 'no child in ALARM',
        );
      }
  }

  private transition(alarm: Alarm, state: StateValue, reason: string): void {
    if (alarm.state === state) return;
    const previous = alarm.state;
    alarm.state = state;
    alarm.reason = reason;
    alarm.updatedAt = this.now();
    for (const listener of this.listeners) listener(this.recordOf(alarm), previous);
  }

  private recordOf(alarm: Alarm): AlarmRecord {
    return {
      name: alarm.name,
      state: alarm.state,
      reason: alarm.reason,
      ...(alarm.rule !== undefined ? { rule: alarm.rule } : {}),
    };
  }

  /** Whether `name` is a composite alarm (undefined: no such alarm). */
  isComposite(name: string): boolean | undefined {
    const alarm = this.alarms.get(name);
    return alarm === undefined ? undefined : alarm.rule !== undefined;
  }

  /** Every alarm, for the CloudWatch API of the local endpoint. */
  all(): { record: AlarmRecord; updatedAt: number; description?: string | undefined }[] {
    return [...this.alarms.values()].map((alarm) => ({
      record: this.recordOf(alarm),
      updatedAt: alarm.updatedAt,
      description: alarm.definition?.description,
    }));
  }

  async describe(names: readonly string[]): Promise<AlarmRecord[]> {
    return names.flatMap((name) => {
      const alarm = this.alarms.get(name);
      return alarm ? [this.recordOf(alarm)] : [];
    });
  }

  async children(compositeName: string): Promise<AlarmChild[]> {
    const composite = this.alarms.get(compositeName);
    return alarmNamesInRule(composite?.rule ?? '').flatMap((name) => {
      const child = this.alarms.get(name);
      return child ? [{ name, state: child.state, composite: child.rule !== undefined }] : [];
    });
  }
}
