import type { FlagVersion } from '../../lambda/rollout/application/flag.ts';
import type { ManualChangePorts } from '../../lambda/rollout/application/manual-change.ts';
import type { RollbackPorts } from '../../lambda/rollout/application/rollback.ts';
import type { RolloutPorts } from '../../lambda/rollout/application/rollout.ts';
import type { StopConditionsReport } from '../../lambda/rollout/application/stop-conditions.ts';
import { NOT_ARMED, type RolloutArming } from '../../lambda/rollout/constants.ts';
import type { AlarmState } from '../../lambda/rollout/domain/rollout.ts';

/**
 * The rollout's parameters and alarms in memory, as SSM and CloudWatch hold them: the flag with
 * every version (value, description, writer), the saved value with its version, the arming, the
 * stop conditions' leaves, the audit's blockers and the included events. Tests set what they need
 * and read what the use cases wrote.
 */
export class MemoryRollout {
  versions: FlagVersion[] = [];
  previous: string | undefined = 'none';
  previousVersion = 1;
  arming: RolloutArming = NOT_ARMED;
  alarms: AlarmState[] = [{ name: 'ErrorRate', state: 'OK', kind: 'integration-error-rate' }];
  missing: StopConditionsReport['missing'] = [];
  blockers: string[] = [];
  included = 0;
  otherRollouts: string[] = [];
  /** Runs once, inside the use case, just before its next write of the flag. */
  beforeFlagWrite: (() => Promise<void>) | undefined;
  /** Runs once, right after the next write of the flag (between a raise and its check). */
  afterFlagWrite: (() => Promise<void>) | undefined;
  /** The next write of this value fails, as SSM refusing it would. */
  failWritesOf: string | undefined;
  /** Who writes, as `LastModifiedUser` records it. */
  writer = 'arn:aws:sts::111122223333:assumed-role/rollout/step';

  constructor(flag: string) {
    this.versions.push({ value: flag, version: 1, user: 'arn:aws:iam::111122223333:user/deployer' });
  }

  get flag(): string | undefined {
    return this.versions.at(-1)?.value;
  }

  /** Writes a version as someone else would (`aws ssm put-parameter`). */
  putByHand(value: string, user: string, description?: string): void {
    this.versions.push({ value, version: this.versions.length + 1, user, description });
  }

  /** A stop condition in ALARM (the others as they are). */
  fire(name: string, reason: string, kind: AlarmState['kind'] = 'integration-error-rate'): void {
    this.alarms = [...this.alarms.filter((a) => a.name !== name), { name, state: 'ALARM', reason, kind }];
  }

  report(): StopConditionsReport {
    const firing = this.alarms.some((a) => a.state === 'ALARM');
    return {
      top: { name: 'Stack-StopConditions', state: firing ? 'ALARM' : 'OK' },
      alarms: this.alarms,
      missing: this.missing,
    };
  }

  private async writeFlag(value: string, description?: string): Promise<void> {
    const hook = this.beforeFlagWrite;
    this.beforeFlagWrite = undefined;
    await hook?.();
    if (this.failWritesOf === value) {
      this.failWritesOf = undefined;
      throw Object.assign(new Error(`SSM refused to write ${value}`), { name: 'RolloutAwsError' });
    }
    this.versions.push({ value, version: this.versions.length + 1, description, user: this.writer });
    const after = this.afterFlagWrite;
    this.afterFlagWrite = undefined;
    await after?.();
  }

  /** What a rollout step sees. */
  ports(): RolloutPorts & RollbackPorts & ManualChangePorts {
    const flag = {
      readFlag: async () => this.flag,
      writeFlag: (value: string, description?: string) => this.writeFlag(value, description),
      readPrevious: async () => this.previous,
      savePrevious: async (value: string) => {
        this.previous = value;
        this.previousVersion += 1;
      },
    };
    return {
      ...flag,
      flag,
      readArming: async () => this.arming,
      writeArming: async (arming) => {
        this.arming = arming;
      },
      readStopConditions: async () => this.report(),
      raiseBlockers: async () => this.blockers,
      otherRollouts: async () => this.otherRollouts,
      previousMarker: async () => String(this.previousVersion),
      includedEvents: async () => this.included,
      latestFlagVersions: async () => this.versions.slice(-2),
      flagVersion: async () => this.versions.at(-1)?.version,
    };
  }
}
