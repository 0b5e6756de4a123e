import { parseFlag } from '../../shared/contract/flag.ts';
import { ROLLBACK_FLAG_VALUE, type RolloutArming } from '../constants.ts';
import { flagLevel } from '../domain/arming.ts';
import { NothingToRestoreError } from '../errors.ts';

/**
 * The flag, the value a rollback saved, and the rollout state beside them: the ports every use case
 * of the rollout shares, and the two moves on the flag every one of them makes the same way.
 */

/** The flag and the parameter where a rollback saves the value it replaced. */
export interface FlagPorts {
  readFlag(): Promise<string | undefined>;
  /** Writes a new version; `description` is kept with it (a forced raise records itself there). */
  writeFlag(value: string, description?: string): Promise<void>;
  readPrevious(): Promise<string | undefined>;
  savePrevious(value: string): Promise<void>;
}

/** The rollout state parameter: until when the stop conditions are armed, and a pending raise. */
export interface ArmingPorts {
  readArming(): Promise<RolloutArming>;
  writeArming(arming: RolloutArming): Promise<void>;
}

/** One version of the flag, as SSM's parameter history keeps it. */
export interface FlagVersion {
  readonly value: string;
  readonly version: number;
  readonly description?: string | undefined;
  /** The IAM identity that wrote it (`LastModifiedUser`). */
  readonly user?: string | undefined;
}

/**
 * Turns the flag off, first saving `preIncident` (by default the value it replaces) for
 * `tpi flag restore`. A flag that is off already is left alone, so a second alarm never overwrites
 * the saved value with `off`; a pre-incident value that is itself off saves nothing for the same
 * reason. Returns the saved value.
 */
export async function rollBackFlag(ports: FlagPorts, preIncident?: string): Promise<string | undefined> {
  const current = await ports.readFlag();
  if (current === undefined || parseFlag(current).mode === 'off') return undefined;
  const saved = preIncident ?? current;
  if (flagLevel(saved) > 0) await ports.savePrevious(saved);
  await ports.writeFlag(ROLLBACK_FLAG_VALUE);
  return flagLevel(saved) > 0 ? saved : undefined;
}

/** The value the last rollback saved, refused when there is none (`NothingToRestoreError`). */
export async function savedValue(ports: FlagPorts): Promise<string> {
  const previous = await ports.readPrevious();
  const setting = previous === undefined ? undefined : parseFlag(previous);
  if (previous === undefined || setting === undefined || (setting.mode === 'off' && setting.misconfigured))
    throw new NothingToRestoreError(
      'no saved flag value: no rollback has turned the flag off yet. Set the value you want with `tpi flag set`.',
    );
  return previous;
}
