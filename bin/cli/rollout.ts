import type { RolloutView } from '../../lambda/rollout/application/rollout-view.ts';
import { DEFAULT_BAKE_MS, MAX_WAIT_SLICE_SECONDS } from '../../lambda/rollout/constants.ts';
import { DEFAULT_PLAN, type RolloutPlan, validatePlan } from '../../lambda/rollout/domain/rollout.ts';
import type { Io } from './command-line.ts';
import { UsageError } from './errors.ts';
import { backendFor, type RolloutBackend } from './rollout-backends.ts';
import type { Target } from './target.ts';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses a duration like `30s`, `5m`, `2h`, `1d` (or `500ms`) into milliseconds. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) throw new UsageError(`${option}: "${text}" is not a duration like 30s, 5m, 2h or 1d`);
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
}

/**
 * The plan from `--steps 10,25,50,100 --wait 1d,2d,2d,2d --bake 7d` (the default plan and bake time
 * for what is missing).
 */
export function parsePlan(steps: string | undefined, waits: string | undefined, bake?: string): RolloutPlan {
  const stepList = steps === undefined ? DEFAULT_PLAN.steps : steps.split(',').map((s) => Number(s.trim()));
  let waitList = waits === undefined ? undefined : waits.split(',').map((w) => parseDuration(w, '--wait'));
  if (waitList === undefined)
    waitList =
      stepList.length === DEFAULT_PLAN.steps.length
        ? [...DEFAULT_PLAN.waitsMs]
        : stepList.map(() => DEFAULT_PLAN.waitsMs[0] as number);
  // One wait for every step is the common case for short test rollouts.
  if (waitList.length === 1 && stepList.length > 1) waitList = stepList.map(() => waitList?.[0] as number);
  const bakeMs = bake === undefined ? DEFAULT_BAKE_MS : parseDuration(bake, '--bake');
  const plan = { steps: stepList, waitsMs: waitList, bakeMs };
  const problems = validatePlan(plan);
  if (problems.length > 0) throw new UsageError(`invalid rollout plan: ${problems.join('; ')}`);
  return plan;
}

/** The human-readable status. */
export function describeRollout(view: RolloutView | undefined): string {
  if (!view) return 'no rollout has run yet: start one with `tpi rollout start`';
  const lines = [
    `rollout ${view.id}: ${view.state}, step ${view.step} of ${view.steps.length} (${view.steps.join(' → ')})` +
      `${view.percentage !== undefined ? `, at ${view.percentage}%` : ''}${view.flag !== undefined ? `, flag ${view.flag}` : ''}`,
  ];
  if (view.nextRaiseAt) lines.push(`next raise: ${view.nextRaiseAt}`);
  if (view.alarms.length > 0) {
    lines.push('stop conditions:');
    for (const a of view.alarms)
      lines.push(
        `  ${a.state.padEnd(17)} ${a.name}${a.reason && a.state === 'ALARM' ? `: ${a.reason}` : ''}`,
      );
  }
  if (view.stopCondition) lines.push(`rolled back by ${view.stopCondition}`);
  if (view.reason && view.state !== 'RUNNING') lines.push(`${view.error ?? 'reason'}: ${view.reason}`);
  return lines.join('\n');
}

const write = (io: Io, text: string) => io.stdout.write(`${text}\n`);

/** `tpi rollout start|status|abort`. */
export const rolloutCommand = {
  summary: 'raise the flag step by step, rolling back on a stop condition',
  usage: `tpi rollout start [--steps 10,25,50,100] [--wait 1d,2d,2d,2d] [--slice 5m] [--bake 7d] [--json]
tpi rollout status [--json]
tpi rollout abort [--json]

start raises the flag to each step and holds it for its wait (30s, 5m, 2h, 1d), checking the stop
conditions before each raise and at least every --slice (at most 15m) during a hold. The stop
conditions are armed from start until --bake (default 7d) after the last step's hold: while armed,
any of them in ALARM turns the flag off (the value before the incident is saved: \`tpi flag restore\`
puts it back); after the bake they page only. start refuses while a stop condition is in ALARM or
one of their alarms does not exist (it names them); raises wait while the audit is not running. A
change of the flag by hand stops the rollout. Only one rollout runs at a time. abort stops it and
leaves the flag as it is.`,
  options: {
    json: { type: 'boolean' },
    steps: { type: 'string' },
    wait: { type: 'string' },
    slice: { type: 'string' },
    bake: { type: 'string' },
  } as const,
  async run(
    _connect: () => Promise<Target>,
    positionals: string[],
    values: Record<string, unknown>,
    io: Io,
  ): Promise<number> {
    const [action, ...rest] = positionals;
    if (rest.length > 0 || !(action === 'start' || action === 'status' || action === 'abort'))
      throw new UsageError('expected `rollout start`, `rollout status` or `rollout abort`');
    if (action !== 'start' && (values.steps ?? values.wait ?? values.slice ?? values.bake) !== undefined)
      throw new UsageError('--steps, --wait, --slice and --bake belong to `rollout start`');
    const plan =
      action === 'start'
        ? parsePlan(
            values.steps as string | undefined,
            values.wait as string | undefined,
            values.bake as string | undefined,
          )
        : undefined;
    const slice = values.slice === undefined ? undefined : parseDuration(values.slice as string, '--slice');
    if (slice !== undefined && (slice < 1000 || slice > MAX_WAIT_SLICE_SECONDS * 1000))
      throw new UsageError(`--slice must be from 1s to ${MAX_WAIT_SLICE_SECONDS / 60}m`);
    const backend = await backendFor(values);
    try {
      const view =
        action === 'start'
          ? await backend.start(
              plan as RolloutPlan,
              slice === undefined ? undefined : Math.round(slice / 1000),
            )
          : action === 'status'
            ? await backend.describe()
            : await backend.abort('aborted by the operator (tpi rollout abort)');
      if (values.json) write(io, JSON.stringify(view ?? null, null, 2));
      else if (action === 'abort' && !view) write(io, 'no rollout is running');
      else write(io, describeRollout(view));
      return action === 'abort' && !view ? 1 : 0;
    } finally {
      backend.close();
    }
  },
};

/**
 * Before an operator sets the flag by hand: stops a running rollout (the operator wins) and says so
 * on stderr, so the rollout cannot raise the flag over the operator's value. A target without the
 * rollout (an older stack) is left alone.
 */
export async function stopRolloutForManualChange(
  values: Record<string, unknown>,
  value: string,
  io: Io,
): Promise<void> {
  let backend: RolloutBackend;
  try {
    backend = await backendFor(values);
  } catch {
    return;
  }
  try {
    const stopped = await backend.abort(`the flag was set by hand to "${value}": the operator wins`);
    if (stopped)
      io.stderr.write(
        `tpi flag: rollout ${stopped.id} stopped: the flag was set by hand (the operator wins). ` +
          'Start a new rollout with `tpi rollout start` to continue.\n',
      );
  } catch (error) {
    // The operator's value goes in regardless: say why the rollout could not be checked.
    io.stderr.write(
      `tpi flag: could not check for a running rollout (${(error as Error).message}); ` +
        'if one runs, it stops at its next check because the flag changed by hand\n',
    );
  } finally {
    backend.close();
  }
}
