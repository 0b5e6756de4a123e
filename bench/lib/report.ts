import { type Goal, meetsGoal, round } from './stats.ts';

/** One reported number. */
export interface Figure {
  readonly id: string;
  /** Table section the figure is listed under. */
  readonly section: string;
  readonly label: string;
  /** `null` when it could not be measured. */
  readonly value: number | null;
  readonly unit: string;
  readonly goal?: Goal | undefined;
  /** A headline figure: a ratio of two measurements of the same run. */
  readonly headline?: boolean;
}

/** The figure with its value rounded for display and JSON, and whether its goal is met. */
export function finalize(figure: Figure): Figure & { met?: boolean } {
  const value = figure.value === null ? null : round(figure.value, 4);
  return figure.goal ? { ...figure, value, met: meetsGoal(value, figure.goal) } : { ...figure, value };
}

function goalText(goal: Goal | undefined): string {
  return goal ? `${goal.op === '>=' ? '≥' : '≤'} ${goal.bound}` : '';
}

function valueText(figure: Figure): string {
  if (figure.value === null) return 'n/a';
  const v = figure.value;
  const abs = Math.abs(v);
  const text =
    abs >= 1000
      ? Math.round(v).toLocaleString('en-US')
      : abs >= 100
        ? v.toFixed(0)
        : abs >= 10
          ? v.toFixed(1)
          : v.toFixed(2);
  return figure.unit === 'ratio' ? `${text}×` : text;
}

function metText(figure: Figure): string {
  if (!figure.goal) return '';
  return meetsGoal(figure.value, figure.goal) ? 'yes' : 'NO';
}

/** Rows of the results table, in figure order, grouped under their sections. */
function rows(figures: readonly Figure[]): { section: string; cells: string[][] }[] {
  const groups: { section: string; cells: string[][] }[] = [];
  for (const f of figures) {
    let group = groups.find((g) => g.section === f.section);
    if (!group) {
      group = { section: f.section, cells: [] };
      groups.push(group);
    }
    group.cells.push([f.label, valueText(f), f.unit === 'ratio' ? '' : f.unit, goalText(f.goal), metText(f)]);
  }
  return groups;
}

const HEADER = ['Figure', 'Value', 'Unit', 'Goal', 'Met'];

/** The results as an aligned plain-text table (stdout). */
export function textTable(figures: readonly Figure[]): string {
  const groups = rows(figures);
  const all = [HEADER, ...groups.flatMap((g) => g.cells)];
  const widths = HEADER.map((_, c) => Math.max(...all.map((r) => [...(r[c] ?? '')].length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => (c === 1 ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const out = [line(HEADER), rule];
  for (const g of groups) out.push('', `${g.section}`, ...g.cells.map(line));
  return `${out.join('\n')}\n`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The results as Markdown tables, one per section. */
export function markdownTables(figures: readonly Figure[]): string {
  return rows(figures)
    .map(
      (g) =>
        `### ${g.section}\n\n| ${HEADER.join(' | ')} |\n|---|--:|---|---|---|\n${g.cells
          .map((r) => `| ${r.map(escapeCell).join(' | ')} |`)
          .join('\n')}\n`,
    )
    .join('\n');
}
