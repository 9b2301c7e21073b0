import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ModeAggregate, RunOutcome } from './aggregate.js';

export interface Report {
  scenario: string;
  /** --seed: the first run's seed; each run records its own. */
  seed: number;
  /** --runs and --concurrency. */
  runCount: number;
  concurrency: number;
  options: Record<string, unknown>;
  /** Every run of every mode, in run order (mode by mode within a run). */
  runs: RunOutcome[];
  /** Per mode: runs, runs passed, each figure's total, min, max, p50, mean and expectations met. */
  aggregate: ModeAggregate[];
  passed: boolean;
  wallSeconds: number;
}

/** Writes reports/scenarios/<scenario>-<timestamp>.json and answers its path relative to the repository. */
export function writeReport(root: string, report: Report, startedAt: Date): string {
  const dir = path.join(root, 'reports', 'scenarios');
  mkdirSync(dir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const file = path.join(dir, `${report.scenario}-${stamp}.json`);
  const { scenario, seed, runCount, concurrency, options, passed, wallSeconds, aggregate, runs } = report;
  // Summary first, the (long) per-run results last, so the head of the file says what happened.
  const body = {
    scenario,
    seed,
    runCount,
    concurrency,
    options,
    passed,
    startedAt: startedAt.toISOString(),
    wallSeconds,
    aggregate,
    runs,
  };
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  return path.relative(root, file);
}

/** Prometheus-safe metric name for a figure: `scenario_<figure>`. */
export function metricName(figure: string): string {
  return `scenario_${figure
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')}`;
}

/** The exposition lines of one mode's aggregate (see `pushAggregate`). */
export function aggregateLines(mode: ModeAggregate, now = Date.now()): string[] {
  const lines: string[] = [];
  const gauge = (name: string, value: number) => lines.push(`# TYPE ${name} gauge`, `${name} ${value}`);
  for (const f of mode.figures) {
    const name = metricName(f.name);
    gauge(name, f.headline === 'sum' ? f.sum : f.p50);
    gauge(`${name}_max`, f.max);
    gauge(`${name}_min`, f.min);
  }
  gauge('scenario_runs', mode.runs);
  gauge('scenario_runs_passed', mode.passed);
  gauge('scenario_verdict_ok', mode.passed === mode.runs ? 1 : 0);
  gauge('scenario_last_run_timestamp_seconds', Math.floor(now / 1000));
  return lines;
}

/**
 * Pushes one mode's aggregate to the Pushgateway under job `scenario`, grouped by scenario and mode, so the
 * dashboards keep the latest broken and fixed figures side by side: `scenario_<figure>` is the figure's
 * headline over the runs (the total of a count, the p50 of a duration; with one run, the figure itself),
 * beside `_max` and `_min`, plus `scenario_runs`, `scenario_runs_passed` and `scenario_verdict_ok` (1 when
 * every run passed). Answers an error message, or null.
 */
export async function pushAggregate(
  pushgatewayUrl: string,
  scenario: string,
  mode: ModeAggregate,
): Promise<string | null> {
  const url = `${pushgatewayUrl.replace(/\/+$/, '')}/metrics/job/scenario/scenario/${encodeURIComponent(scenario)}/mode/${mode.mode}`;
  try {
    const res = await fetch(url, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain; version=0.0.4' },
      body: `${aggregateLines(mode).join('\n')}\n`,
      signal: AbortSignal.timeout(5000),
    });
    return res.ok ? null : `pushgateway answered ${res.status}`;
  } catch (err) {
    return `pushgateway unreachable: ${(err as Error).message}`;
  }
}
