/**
 * `npm run package:sizes`: builds every package and checks its size against its budget with
 * `npm pack --dry-run` (nothing is written but the build); exit 1 when one is over. CI runs it.
 */
import { execFileSync } from 'node:child_process';
import { budgetOf, budgetReport, type PackSummary } from './packages/budgets.ts';
import { PACKAGES, ROOT } from './packages/definitions.ts';

const workspaces = Object.values(PACKAGES).map((p) => p.dir);
const out = execFileSync('npm', ['pack', '--dry-run', '--json', ...workspaces.flatMap((w) => ['-w', w])], {
  cwd: ROOT,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
});
const summaries = JSON.parse(out.slice(out.indexOf('['))) as PackSummary[];
let over = false;
for (const [i, workspace] of workspaces.entries()) {
  const report = budgetReport(summaries[i] as PackSummary, budgetOf(workspace));
  for (const line of report.lines) console.log(line);
  over ||= report.over;
}
if (over)
  console.log(
    'a package is over its size budget (sizeBudget in its package.json): shrink it, or raise the budget with the reason',
  );
process.exit(over ? 1 : 0);
