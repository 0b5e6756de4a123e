import { userInfo } from 'node:os';
import { cloudWatchAlarms } from '../../lambda/rollout/adapters/cloudwatch.ts';
import { parameterVersion, ssmFlagPorts } from '../../lambda/rollout/adapters/parameters.ts';
import {
  changeFlagByHand,
  type ForceRequest,
  type ManualChange,
  type ManualChangePorts,
  restoreByHand,
} from '../../lambda/rollout/application/manual-change.ts';
import { auditBlockers, readStopConditions } from '../../lambda/rollout/application/stop-conditions.ts';
import { previousFlagParameterName } from '../../lambda/rollout/constants.ts';
import { FLAG_VALUES, parseFlag } from '../../lambda/shared/contract/flag.ts';
import { asJson, type Command, type Io, write } from './command-line.ts';
import { TargetError, UsageError } from './errors.ts';
import { type FlagReport, getFlag } from './operations.ts';
import { stopRolloutForManualChange } from './rollout.ts';
import type { Target } from './target.ts';

/**
 * The flag by hand, against the target's stop conditions: a raise waits while one is in ALARM or
 * the audit stopped, unless forced with a reason (recorded with the flag version it wrote).
 */
export function manualChangePorts(target: Target): ManualChangePorts {
  const flag = target.flagParameterName;
  const alarms = cloudWatchAlarms(target.cloudWatch);
  const top = target.stopConditionsAlarmName;
  const audit = target.auditAlarmName;
  return {
    ...ssmFlagPorts(target.ssm, flag, previousFlagParameterName(flag)),
    readStopConditions: () => {
      if (!top)
        throw new TargetError(
          `${target.label} has no StopConditionsAlarmName output, so a raise cannot be checked against the stop conditions: deploy the current version of the stack`,
        );
      return readStopConditions(alarms, top);
    },
    raiseBlockers: async () => (audit ? auditBlockers(alarms, audit) : []),
    flagVersion: () => parameterVersion(target.ssm, flag),
  };
}

/** Who forces a raise: this machine's user (SSM records the caller's IAM identity beside it). */
function forceOf(values: Record<string, unknown>): ForceRequest | undefined {
  if (values.force !== true) {
    if (values.reason !== undefined) throw new UsageError('--reason goes with --force');
    return undefined;
  }
  return { by: userInfo().username, reason: values.reason as string | undefined };
}

function report(
  io: Io,
  values: Record<string, unknown>,
  change: ManualChange,
  flag: FlagReport,
  restoredFrom?: string,
): void {
  if (values.json) {
    asJson(io, {
      ...flag,
      ...(restoredFrom ? { restoredFrom } : {}),
      raised: change.raised,
      forced: change.forced ?? null,
      overridden: change.overridden,
    });
    return;
  }
  const meaning = flag.misconfigured
    ? 'misconfigured: treated as off'
    : flag.mode === 'percentage'
      ? `${flag.percentage}% of users`
      : flag.mode;
  write(
    io,
    `${flag.parameterName} = ${flag.value} (${meaning})${restoredFrom ? ` (restored from ${restoredFrom})` : ''}`,
  );
  if (change.forced)
    io.stderr.write(
      `tpi flag: raised with --force over ${change.overridden.join('; ')}; recorded with version ${change.forced.version} (by ${change.forced.by}: ${change.forced.reason})\n`,
    );
}

/** `tpi flag get|set|restore`. */
export const flagCommand: Command = {
  summary: 'read or set the rollout flag',
  usage: `tpi flag get [--json]
tpi flag set off|on|N [--force --reason "why"] [--json]   N: percentage of users 1-99 (stops a running rollout)
tpi flag restore [--force --reason "why"] [--json]        put back the value the last automatic rollback saved

A raise (set or restore to more users) is refused, exit 1, naming the alarm, while a stop condition
is in ALARM or the scheduled audit is not running. --force --reason raises anyway and records who and
why with the flag version (the automatic rollback then leaves it alone). Lowering is always allowed.`,
  options: { json: { type: 'boolean' }, force: { type: 'boolean' }, reason: { type: 'string' } },
  async run(connect, positionals, values, io) {
    const [action, value, ...rest] = positionals;
    const force = forceOf(values);
    if (action === 'restore' && value === undefined && rest.length === 0) {
      const target = await connect();
      const change = await restoreByHand(manualChangePorts(target), force);
      report(io, values, change, await getFlag(target), previousFlagParameterName(target.flagParameterName));
      return 0;
    }
    if (
      rest.length > 0 ||
      !(action === 'get' ? value === undefined : action === 'set' && value !== undefined)
    )
      throw new UsageError('expected `flag get`, `flag set VALUE` or `flag restore`');
    if (action === 'get') {
      if (force) throw new UsageError('--force and --reason go with `flag set` and `flag restore`');
      const flag = await getFlag(await connect());
      report(io, values, { from: flag.value, to: flag.value, raised: false, overridden: [] }, flag);
      return 0;
    }
    const setting = parseFlag(value as string);
    if (setting.mode === 'off' && setting.misconfigured)
      throw new UsageError(`flag value must be one of ${FLAG_VALUES}, got "${value}"`);
    const target = await connect();
    const change = await changeFlagByHand(manualChangePorts(target), value as string, force, () =>
      stopRolloutForManualChange(values, value as string, io),
    );
    report(io, values, change, await getFlag(target));
    return 0;
  },
};
