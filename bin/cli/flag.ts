import { FLAG_VALUES, parseFlag } from '../../lambda/shared/contract/flag.ts';

import { asJson, type Command, JSON_OPTION, write } from './command-line.ts';
import { UsageError } from './errors.ts';
import { getFlag, setFlag } from './operations.ts';
import { restoreFlagValue, stopRolloutForManualChange } from './rollout.ts';

/** `tpi flag get|set|restore`. */
export const flagCommand: Command = {
  summary: 'read or set the rollout flag',
  usage: `tpi flag get [--json]
tpi flag set off|on|N [--json]     N: percentage of users 1-99 (stops a running rollout)
tpi flag restore [--json]          put back the value the last automatic rollback saved`,
  options: JSON_OPTION,
  async run(connect, positionals, values, io) {
    const [action, value, ...rest] = positionals;
    if (action === 'restore' && value === undefined && rest.length === 0) {
      const restored = await restoreFlagValue(await connect());
      if (values.json) asJson(io, restored);
      else
        write(io, `${restored.parameterName} = ${restored.value} (restored from ${restored.restoredFrom})`);
      return 0;
    }
    if (
      rest.length > 0 ||
      !(action === 'get' ? value === undefined : action === 'set' && value !== undefined)
    )
      throw new UsageError('expected `flag get` or `flag set VALUE`');
    const setting = action === 'set' ? parseFlag(value as string) : undefined;
    if (setting?.mode === 'off' && setting.misconfigured)
      throw new UsageError(`flag value must be one of ${FLAG_VALUES}, got "${value}"`);
    const target = await connect();
    if (action === 'set') await stopRolloutForManualChange(values, value as string, io);
    const report = action === 'get' ? await getFlag(target) : await setFlag(target, value as string);
    if (values.json) asJson(io, report);
    else
      write(
        io,
        `${report.parameterName} = ${report.value} (${report.misconfigured ? 'misconfigured: treated as off' : report.mode === 'percentage' ? `${report.percentage}% of users` : report.mode})`,
      );
    return 0;
  },
};
