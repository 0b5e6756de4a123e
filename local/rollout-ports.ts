import { parseArming } from '../lambda/rollout/adapters/parameters.ts';
import type { ArmingPorts, FlagPorts } from '../lambda/rollout/application/flag.ts';
import type { RollbackPorts } from '../lambda/rollout/application/rollback.ts';
import type { RolloutPorts } from '../lambda/rollout/application/rollout.ts';
import { auditBlockers, readStopConditions } from '../lambda/rollout/application/stop-conditions.ts';
import { previousFlagParameterName, rolloutStateParameterName } from '../lambda/rollout/constants.ts';
import type { LocalCloudWatch } from './cloudwatch.ts';
import type { LocalParameterStore } from './parameters.ts';

/**
 * The rollout's ports over the local stack: the flag, the saved value and the rollout state in the
 * local parameter store (written as the deployed functions' role), the stop conditions from the
 * local CloudWatch, the included events from its metric store. The local rollout and rollback run
 * the deployed use cases over these.
 */

/** Where the local rollout finds everything. */
export interface LocalRolloutParts {
  readonly parameters: LocalParameterStore;
  readonly flagParameterName: string;
  readonly cloudWatch: LocalCloudWatch;
}

/** The identity the local rollout functions write as, as `LastModifiedUser` records it. */
export const LOCAL_ROLLOUT_ROLE = 'arn:aws:sts::000000000000:assumed-role/local-rollout/rollout';

/** The flag and the value a rollback saved, plus the version marker of the saved value. */
export function localFlagPorts(
  parts: LocalRolloutParts,
): FlagPorts & { previousMarker(): Promise<string | undefined> } {
  const { parameters, flagParameterName: flag } = parts;
  const previous = previousFlagParameterName(flag);
  const write = (name: string, value: string, description?: string) =>
    void parameters.put(name, value, {
      overwrite: true,
      user: LOCAL_ROLLOUT_ROLE,
      ...(description !== undefined ? { description } : {}),
    });
  return {
    readFlag: async () => parameters.get(flag)?.value,
    writeFlag: async (value, description) => write(flag, value, description),
    readPrevious: async () => parameters.get(previous)?.value,
    savePrevious: async (value) => write(previous, value),
    previousMarker: async () => parameters.get(previous)?.version.toString(),
  };
}

/** The rollout state parameter. */
export function localArmingPorts(parts: LocalRolloutParts): ArmingPorts {
  const name = rolloutStateParameterName(parts.flagParameterName);
  return {
    readArming: async () => parseArming(name, parts.parameters.get(name)?.value),
    writeArming: async (arming) =>
      void parts.parameters.put(name, JSON.stringify(arming), { overwrite: true, user: LOCAL_ROLLOUT_ROLE }),
  };
}

/** What one local rollout step reads and writes. */
export function localRolloutPorts(parts: LocalRolloutParts): RolloutPorts {
  const { alarms, names, metrics } = parts.cloudWatch;
  return {
    ...localFlagPorts(parts),
    ...localArmingPorts(parts),
    readStopConditions: () => readStopConditions(alarms, names.stopConditions),
    raiseBlockers: () => auditBlockers(alarms, names.audit),
    includedEvents: async (since) => metrics.includedSince(since),
  };
}

/** What the local rollback reads and writes. */
export function localRollbackPorts(parts: LocalRolloutParts): RollbackPorts {
  const { alarms, names } = parts.cloudWatch;
  return {
    flag: localFlagPorts(parts),
    ...localArmingPorts(parts),
    readStopConditions: () => readStopConditions(alarms, names.stopConditions),
    latestFlagVersions: async () =>
      parts.parameters
        .history(parts.flagParameterName)
        .slice(-2)
        .map((v) => ({
          value: v.value,
          version: v.version,
          description: v.description,
          user: v.lastModifiedUser,
        })),
  };
}
