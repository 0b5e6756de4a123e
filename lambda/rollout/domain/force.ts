/**
 * A raise made with `--force` while a stop condition was in ALARM, as recorded in the description
 * of the flag version it wrote: which version, who asked and why. Pure.
 */
export interface ForcedRaise {
  readonly version: number;
  /** Who raised it, as the caller gave it (SSM also records the IAM identity: `LastModifiedUser`). */
  readonly by: string;
  readonly reason: string;
}

/**
 * How a forced raise is recorded: the flag version's SSM description starts with this, names the
 * version it belongs to, who raised it and why (`tpi:force version=12 by=ana: <reason>`).
 */
export const FORCE_DESCRIPTION_PREFIX = 'tpi:force';

/**
 * Longest `--reason`: a parameter's description holds at most 1,024 characters (`Description`,
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html), and the
 * prefix, the version and who raised it need the rest.
 */
export const MAX_FORCE_REASON_LENGTH = 500;

/** The description a forced raise writes with its flag version. */
export function forceDescription(force: ForcedRaise): string {
  const by = force.by.replace(/\s+/g, '_') || 'unknown';
  return `${FORCE_DESCRIPTION_PREFIX} version=${force.version} by=${by}: ${force.reason}`;
}

const FORCE = new RegExp(`^${FORCE_DESCRIPTION_PREFIX} version=(\\d+) by=(\\S+): ([\\s\\S]*)$`);

/**
 * The forced raise a flag version's description records, when it records one for exactly that
 * version: a description a later write kept (or copied) names another version and does not count.
 */
export function forcedRaiseOf(description: string | undefined, version: number): ForcedRaise | undefined {
  const match = description === undefined ? null : FORCE.exec(description);
  if (!match || Number(match[1]) !== version) return undefined;
  return { version, by: match[2] as string, reason: match[3] as string };
}

/** Why a `--reason` cannot be recorded, or `undefined` when it can. */
export function reasonProblem(reason: string | undefined): string | undefined {
  const text = reason?.trim() ?? '';
  if (text === '')
    return '--force needs --reason "why the flag must go up while a stop condition is in ALARM"';
  if (text.length > MAX_FORCE_REASON_LENGTH)
    return `--reason is ${text.length} characters; it must fit in ${MAX_FORCE_REASON_LENGTH} (it is kept in the flag version's description)`;
  return undefined;
}
