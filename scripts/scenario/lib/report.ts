import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunResult } from './types.js';

/** Writes reports/scenarios/<scenario>-<timestamp>.json and answers its path relative to the repository. */
export function writeReport(
  root: string,
  report: {
    scenario: string;
    seed: number;
    options: Record<string, unknown>;
    runs: RunResult[];
    passed: boolean;
  },
  startedAt: Date,
): string {
  const dir = path.join(root, 'reports', 'scenarios');
  mkdirSync(dir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const file = path.join(dir, `${report.scenario}-${stamp}.json`);
  writeFileSync(file, `${JSON.stringify({ ...report, startedAt: startedAt.toISOString() }, null, 2)}\n`);
  return path.relative(root, file);
}

/** Prometheus-safe metric name for a figure: `scenario_<figure>`. */
export function metricName(figure: string): string {
  return `scenario_${figure
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')}`;
}

/**
 * Pushes a run's figures to the Pushgateway under job `scenario`, grouped by scenario and mode, so the
 * dashboards keep the latest broken and fixed figures side by side. Answers an error message, or null.
 */
export async function pushFigures(
  pushgatewayUrl: string,
  scenario: string,
  run: RunResult,
  passed: boolean,
): Promise<string | null> {
  const lines: string[] = [];
  for (const f of run.figures) {
    const name = metricName(f.name);
    lines.push(`# TYPE ${name} gauge`, `${name} ${f.value}`);
  }
  lines.push('# TYPE scenario_verdict_ok gauge', `scenario_verdict_ok ${passed ? 1 : 0}`);
  lines.push('# TYPE scenario_last_run_timestamp_seconds gauge');
  lines.push(`scenario_last_run_timestamp_seconds ${Math.floor(Date.now() / 1000)}`);
  const url = `${pushgatewayUrl.replace(/\/+$/, '')}/metrics/job/scenario/scenario/${encodeURIComponent(scenario)}/mode/${run.mode}`;
  try {
    const res = await fetch(url, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain; version=0.0.4' },
      body: `${lines.join('\n')}\n`,
      signal: AbortSignal.timeout(5000),
    });
    return res.ok ? null : `pushgateway answered ${res.status}`;
  } catch (err) {
    return `pushgateway unreachable: ${(err as Error).message}`;
  }
}
