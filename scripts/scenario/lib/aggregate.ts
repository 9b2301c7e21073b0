// Repeated runs (`--runs`): each run's outcome as the framework records it, and their aggregate per mode.
import type { Figure, Mode, RunResult } from './types.js';
import { meets } from './verdict.js';

/** One run of one mode, as judged: the scenario's result plus what the framework adds. */
export interface RunOutcome extends RunResult {
  /** 1-based index among `--runs`. */
  run: number;
  seed: number;
  passed: boolean;
  /** Each expectation that did not hold, e.g. `oversold_units = 1 (want = 0)`. */
  failures: string[];
  startedAt: string;
  durationSeconds: number;
  /** The scenario's log lines of this run. */
  log: string[];
}

export interface FigureAggregate {
  name: string;
  unit?: string;
  /** Which statistic is the figure's headline (see `Figure.aggregate`). */
  headline: 'sum' | 'p50';
  /** Runs that reported the figure (a run that could not be made reports none). */
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Nearest-rank median. */
  p50: number;
  mean: number;
  /** The expectation of the runs that carry one, and in how many of them it held. */
  expect?: Figure['expect'];
  met?: number;
}

export interface ModeAggregate {
  mode: Mode;
  runs: number;
  passed: number;
  failedRuns: { run: number; seed: number; failures: string[] }[];
  figures: FigureAggregate[];
}

/** The expectations of a run that do not hold, each as one line. */
export function failures(run: RunResult): string[] {
  return run.figures
    .filter((f) => meets(f) === false)
    .map(
      (f) => `${f.name} = ${f.value}${f.unit ? ` ${f.unit}` : ''} (want ${f.expect!.op} ${f.expect!.value})`,
    );
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** One aggregate per mode, in the order the modes first appear. */
export function aggregate(outcomes: RunOutcome[]): ModeAggregate[] {
  const modes = [...new Set(outcomes.map((o) => o.mode))];
  return modes.map((mode) => {
    const runs = outcomes.filter((o) => o.mode === mode).sort((a, b) => a.run - b.run);
    const names = [...new Set(runs.flatMap((r) => r.figures.map((f) => f.name)))];
    const figures = names.map((name): FigureAggregate => {
      const present = runs.flatMap((r) => r.figures.filter((f) => f.name === name));
      const values = present.map((f) => f.value).sort((a, b) => a - b);
      const first = present[0]!;
      const judged = present.filter((f) => f.expect);
      const sum = values.reduce((s, v) => s + v, 0);
      return {
        name,
        ...(first.unit ? { unit: first.unit } : {}),
        headline: first.aggregate ?? (first.unit ? 'p50' : 'sum'),
        count: values.length,
        sum: round(sum),
        min: values[0]!,
        max: values[values.length - 1]!,
        p50: percentile(values, 50),
        mean: round(sum / values.length),
        ...(judged.length
          ? { expect: judged[0]!.expect, met: judged.filter((f) => meets(f) === true).length }
          : {}),
      };
    });
    return {
      mode,
      runs: runs.length,
      passed: runs.filter((r) => r.passed).length,
      failedRuns: runs
        .filter((r) => !r.passed)
        .map((r) => ({ run: r.run, seed: r.seed, failures: r.failures })),
      figures,
    };
  });
}

/** The aggregate table: runs and runs passed, then one row per figure (headline and maximum), one column per mode. */
export function aggregateTable(modes: ModeAggregate[]): string {
  const names = [...new Set(modes.flatMap((m) => m.figures.map((f) => f.name)))];
  const header = ['figure', ...modes.map((m) => `${m.mode} (${m.runs} runs)`)];
  const rows = [
    ['runs', ...modes.map((m) => String(m.runs))],
    ['runs passed', ...modes.map((m) => `${m.passed}/${m.runs} ${m.passed === m.runs ? 'ok' : 'FAIL'}`)],
    ...names.map((name) => [
      name,
      ...modes.map((m) => {
        const f = m.figures.find((x) => x.name === name);
        if (!f) return '';
        const unit = f.unit ? ` ${f.unit}` : '';
        const judged =
          f.expect && f.met !== undefined
            ? ` (want ${f.expect.op} ${f.expect.value}: ${f.met}/${f.count} ${f.met === f.count ? 'ok' : 'FAIL'})`
            : '';
        const head = f.headline === 'sum' ? `total ${f.sum}` : `p50 ${f.p50}${unit}`;
        return `${head}, max ${f.max}${unit}${judged}`;
      }),
    ]),
  ];
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
