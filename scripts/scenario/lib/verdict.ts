import type { Figure, RunResult } from './types.js';

export function meets(figure: Figure): boolean | null {
  if (!figure.expect) return null;
  const { op, value } = figure.expect;
  switch (op) {
    case '>':
      return figure.value > value;
    case '>=':
      return figure.value >= value;
    case '=':
      return figure.value === value;
    case '<=':
      return figure.value <= value;
    case '<':
      return figure.value < value;
  }
}

/** Whether every expectation of every run holds. */
export function verdict(runs: RunResult[]): boolean {
  return runs.every((r) => r.figures.every((f) => meets(f) !== false));
}

/** The verdict table: one row per figure, one column per mode, each cell with its expectation's outcome. */
export function table(runs: RunResult[]): string {
  const names = [...new Set(runs.flatMap((r) => r.figures.map((f) => f.name)))];
  const header = ['figure', ...runs.map((r) => r.mode)];
  const rows = names.map((name) => [
    name,
    ...runs.map((r) => {
      const f = r.figures.find((x) => x.name === name);
      if (!f) return '';
      const ok = meets(f);
      const expectation = f.expect ? ` (want ${f.expect.op} ${f.expect.value}) ${ok ? 'ok' : 'FAIL'}` : '';
      return `${f.value}${f.unit ? ` ${f.unit}` : ''}${expectation}`;
    }),
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
