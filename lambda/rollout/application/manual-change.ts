import { isRaise } from '../domain/arming.ts';
import { type ForcedRaise, forceDescription, reasonProblem } from '../domain/force.ts';
import type { AlarmState } from '../domain/rollout.ts';
import { RaiseRefusedError } from '../errors.ts';
import { type FlagPorts, savedValue } from './flag.ts';
import { describeFiring, firingOf, type StopConditionsReport } from './stop-conditions.ts';

/**
 * An operator changing the flag by hand (`tpi flag set`, `tpi flag restore`): a raise waits until no
 * stop condition is in ALARM and the audit runs, unless forced with a reason, which is recorded
 * with the flag version it wrote. Lowering is always allowed.
 */

/** What a manual change reads besides the flag. */
export interface ManualChangePorts extends FlagPorts {
  readStopConditions(): Promise<StopConditionsReport>;
  /** Why raises must wait although no stop condition fires (the audit stopped); empty when none. */
  raiseBlockers(): Promise<string[]>;
  /** The flag's current version number (SSM `Version`): a forced raise records the next one. */
  flagVersion(): Promise<number | undefined>;
}

/** Who forces a raise, and why. */
export interface ForceRequest {
  readonly by: string;
  readonly reason: string | undefined;
}

/** What a manual change did. */
export interface ManualChange {
  readonly from: string | undefined;
  readonly to: string;
  readonly raised: boolean;
  /** Set when the raise went through over a stop condition or a stopped audit. */
  readonly forced?: ForcedRaise | undefined;
  /** The stop conditions in ALARM and the blockers a forced raise went over. */
  readonly overridden: readonly string[];
}

/**
 * Sets the flag to `to`. A raise while a stop condition is in ALARM or the audit stopped is refused
 * with a `RaiseRefusedError` naming them, unless `force` gives a reason: then it is written with a
 * description recording the version, who and why (the rollback function leaves it alone).
 * `beforeWrite` runs once the change is allowed, just before it is written (the CLI stops a
 * running rollout there: the operator wins).
 */
export async function changeFlagByHand(
  ports: ManualChangePorts,
  to: string,
  force?: ForceRequest,
  beforeWrite: () => Promise<void> = async () => undefined,
): Promise<ManualChange> {
  const from = await ports.readFlag();
  if (!isRaise(from, to)) {
    await beforeWrite();
    await ports.writeFlag(to);
    return { from, to, raised: false, overridden: [] };
  }
  const [report, blockers] = await Promise.all([ports.readStopConditions(), ports.raiseBlockers()]);
  const firing: AlarmState[] = firingOf(report);
  const overridden = [...(firing.length > 0 ? [describeFiring(firing)] : []), ...blockers];
  if (overridden.length === 0) {
    await beforeWrite();
    await ports.writeFlag(to);
    return { from, to, raised: true, overridden };
  }
  if (!force)
    throw new RaiseRefusedError(
      `refusing to raise the flag from ${from ?? 'nothing'} to ${to}: ${firing.length > 0 ? 'stop condition(s) in ALARM: ' : ''}${overridden.join('; ')}. ` +
        'Fix the cause and try again (lowering is always allowed), or raise anyway with --force --reason "why".',
    );
  const problem = reasonProblem(force.reason);
  if (problem) throw new RaiseRefusedError(problem);
  const forced: ForcedRaise = {
    version: ((await ports.flagVersion()) ?? 0) + 1,
    by: force.by,
    reason: (force.reason as string).trim(),
  };
  await beforeWrite();
  await ports.writeFlag(to, forceDescription(forced));
  return { from, to, raised: true, forced, overridden };
}

/** `tpi flag restore`: puts back the value the last rollback saved, as a manual change. */
export async function restoreByHand(ports: ManualChangePorts, force?: ForceRequest): Promise<ManualChange> {
  return changeFlagByHand(ports, await savedValue(ports), force);
}
