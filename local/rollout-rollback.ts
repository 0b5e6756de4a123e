import {
  onFlagChange,
  onStopConditionAlarm,
  type RollbackOutcome,
} from '../lambda/rollout/application/rollback.ts';
import { type LocalRolloutParts, localRollbackPorts } from './rollout-ports.ts';

/**
 * The deployed rollback, locally: the two rules (the stop-conditions composite going into ALARM,
 * a change of the flag) deliver to the same use cases, one event at a time and after the change
 * that caused it, as EventBridge invokes the function asynchronously.
 */
export class LocalRollback {
  private queue: Promise<void> = Promise.resolve();
  /** Every outcome, oldest first (what the alarm topic would have received). */
  readonly outcomes: RollbackOutcome[] = [];

  constructor(
    parts: LocalRolloutParts,
    private readonly log: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {
    parts.cloudWatch.alarms.onChange((alarm) => {
      if (alarm.name === parts.cloudWatch.names.stopConditions && alarm.state === 'ALARM')
        this.enqueue(() => onStopConditionAlarm(localRollbackPorts(parts), this.now()));
    });
    parts.parameters.onPut((parameter) => {
      if (parameter.name === parts.flagParameterName)
        this.enqueue(() => onFlagChange(localRollbackPorts(parts), this.now()));
    });
  }

  /** Resolves once every event delivered so far was handled. */
  idle(): Promise<void> {
    return this.queue;
  }

  private enqueue(handle: () => Promise<RollbackOutcome>): void {
    this.queue = this.queue
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(handle)
      .then((outcome) => {
        this.outcomes.push(outcome);
        if (outcome.action !== 'ignored') this.log(`rollback  ${outcome.action}: ${outcome.message}`);
      })
      .catch((error: Error) =>
        this.log(
          `failed    rollback: ${error.message}; set the flag off by hand if a stop condition is in ALARM`,
        ),
      );
  }
}
