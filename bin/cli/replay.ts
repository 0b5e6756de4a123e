import { asJson, type Command, JSON_OPTION, write } from './command-line.ts';
import { UsageError } from './errors.ts';
import { parseInstant, replay } from './operations.ts';
import { duration } from './progress.ts';

/** `tpi replay --from T --to T`: replays the archive's window onto the bus and waits for it. */
export const replayCommand: Command = {
  summary: 'replay archived events of a time window',
  usage: `tpi replay --from T --to T [--name NAME] [--json]

T: ISO-8601 (2026-05-01T12:00:00Z), now, or an age (30m, 2h, 7d: that long ago). Replays the bus archive (locally
the stack's archive file) onto the bus and waits for it to finish. Safe: recording is idempotent.`,
  options: { ...JSON_OPTION, from: { type: 'string' }, to: { type: 'string' }, name: { type: 'string' } },
  async run(connect, positionals, values, io) {
    if (positionals.length > 0 || values.from === undefined || values.to === undefined)
      throw new UsageError('replay needs --from and --to');
    const from = parseInstant(values.from as string, '--from');
    const to = parseInstant(values.to as string, '--to');
    if (from >= to) throw new UsageError('--from must be before --to');
    const started = Date.now();
    let lastNotice = started;
    const report = await replay(await connect(), from, to, {
      name: values.name as string | undefined,
      // A replay on AWS takes minutes: a line every 10 s says it is still running.
      onState: (name, state) => {
        if (Date.now() - lastNotice < 10_000) return;
        lastNotice = Date.now();
        io.stderr.write(`replay ${name}: ${state} for ${duration((lastNotice - started) / 1000)}\n`);
      },
    });
    if (values.json) asJson(io, report);
    else
      write(io, `replay ${report.replayName}: ${report.state}${report.reason ? ` (${report.reason})` : ''}`);
    return report.state === 'COMPLETED' ? 0 : 1;
  },
};
