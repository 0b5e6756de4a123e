import { auditStatistics } from '../../lambda/audit/adapters/audit-store.ts';

import { asJson, type Command, JSON_OPTION, write } from './command-line.ts';

import { UsageError } from './errors.ts';

/** `tpi audit [--user USER] [--repair]`: statistics against the activities. */
export const auditCommand: Command = {
  summary: 'check statistics against the activities, optionally repair',
  usage: `tpi audit [--user USER] [--repair] [--json]

Recomputes each user's statistics from their activities by the contract's definition and compares.
Activities the projection has not applied yet are reported as pending, not as drift. --repair
rewrites drifted statistics (safe while the projection runs). Exit 1 when drift remains.`,
  options: { ...JSON_OPTION, user: { type: 'string' }, repair: { type: 'boolean' } },
  async run(connect, positionals, values, io) {
    if (positionals.length > 0) throw new UsageError('audit takes no arguments (use --user USER)');
    const target = await connect();
    let lastProgress = 0;
    const report = await auditStatistics({
      client: target.doc,
      tables: { activities: target.tables.activities, stats: target.tables.stats },
      userId: values.user as string | undefined,
      repair: values.repair === true,
      onProgress: (p) => {
        if (Date.now() - lastProgress < 1000) return;
        lastProgress = Date.now();
        const share = p.approximateItems ? ` of ~${p.approximateItems} items` : '';
        io.stderr.write(
          `audit: ${p.usersChecked} users, ${p.itemsScanned} items${share}, ${p.drifted} drifted\n`,
        );
      },
    });
    if (values.json) asJson(io, report);
    else {
      write(
        io,
        `${report.usersChecked} users checked, ${report.drifted.length} drifted, ${report.repaired} repaired, ` +
          `${report.usersWithPending} with activities still pending`,
      );
      for (const d of report.drifted)
        write(
          io,
          `  ${d.userId}: ${[...d.driftedFields, ...d.driftedSlots].join(', ')}${d.repaired ? ' (repaired)' : ''}`,
        );
      if (report.drifted.length > report.repaired)
        write(io, 'run again with --repair to fix the drifted users');
    }
    return report.drifted.length > report.repaired ? 1 : 0;
  },
};
