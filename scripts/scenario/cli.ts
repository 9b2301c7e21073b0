// `pnpm scenario --scenario <name> [--mode broken|fixed|both] [--seed N] [--runs N] [--concurrency C] [options]`:
// runs an incident scenario in each mode, --runs times (up to --concurrency runs in flight), judges every
// run, prints progress per run and the verdict table (one run) or the aggregate table (several), writes
// reports/scenarios/<scenario>-<timestamp>.json and pushes each mode's aggregate to the Pushgateway. Exit 0
// when every expectation of every run holds, 1 when one does not (or a run could not be made), 2 on a usage
// error.
import path from 'node:path';
import { stackEnv } from '@shop/testing';
import { aggregate, aggregateTable, failures, type RunOutcome } from './lib/aggregate.js';
import { sleep } from './lib/http.js';
import { parseArgs, runSeed, seededRandom, UsageError, usage } from './lib/options.js';
import { pushAggregate, writeReport } from './lib/report.js';
import type { Figure, Mode, Scenario } from './lib/types.js';
import { table } from './lib/verdict.js';
import { oversell } from './scenarios/oversell.js';

const scenarios: Record<string, Scenario> = { [oversell.name]: oversell };
const root = path.resolve(import.meta.dirname, '../..');
/** Overlapping runs start this far apart, so their first waves do not all land at the same instant. */
const STAGGER_MS = 1000;

interface Job {
  run: number;
  mode: Mode;
  seed: number;
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

function formatFigure(f: Figure): string {
  return `${f.name} ${f.value}${f.unit ? ` ${f.unit}` : ''}`;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage(scenarios));
    return 0;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(argv, scenarios);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${usage(scenarios)}`);
      return 2;
    }
    throw err;
  }
  const scenario = scenarios[parsed.scenario]!;
  const env: NodeJS.ProcessEnv = { ...stackEnv(), LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' };
  const { runs, concurrency } = parsed;
  const single = runs === 1;
  const jobs: Job[] = [];
  for (let run = 1; run <= runs; run++) {
    for (const mode of parsed.modes) jobs.push({ run, mode, seed: runSeed(parsed.seed, run) });
  }
  const keyFigures = scenario.keyFigures;
  const startedAt = new Date();
  if (!single) {
    console.log(
      `${scenario.name}: ${runs} runs of ${parsed.modes.join(' and ')} (${jobs.length} in all), ` +
        `${concurrency} at a time, seed ${parsed.seed}`,
    );
  }

  // Ctrl-C once: start no new run, finish those in flight, report what was done. Twice: leave at once.
  let interrupted = false;
  process.on('SIGINT', () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error('\ninterrupted: finishing the runs in flight (Ctrl-C again to leave now)');
  });

  const outcomes: RunOutcome[] = [];
  let next = 0;
  let finished = 0;

  const runOne = async (job: Job): Promise<RunOutcome> => {
    const label = single ? job.mode : `${job.mode} ${job.run}/${runs}`;
    if (single) console.log(`\n== ${scenario.name}: ${job.mode} mode (seed ${job.seed}) ==`);
    const log: string[] = [];
    const began = new Date();
    let result: Pick<RunOutcome, 'mode' | 'figures' | 'details'>;
    try {
      result = await scenario.run({
        mode: job.mode,
        seed: job.seed,
        random: seededRandom(job.seed),
        options: parsed.options,
        env,
        log: (message) => {
          log.push(`${seconds(Date.now() - began.getTime())} s ${message}`);
          if (single) console.log(`[${label}] ${message}`);
        },
      });
    } catch (err) {
      const message = `the run could not be made: ${(err as Error).message}`;
      log.push(message);
      if (single) console.error(`[${label}] ${message}`);
      result = {
        mode: job.mode,
        figures: [{ name: 'run_completed', value: 0, expect: { op: '=', value: 1 } }],
        details: { error: (err as Error).message },
      };
    }
    const failed = failures(result);
    return {
      run: job.run,
      seed: job.seed,
      passed: failed.length === 0,
      failures: failed,
      startedAt: began.toISOString(),
      durationSeconds: seconds(Date.now() - began.getTime()),
      ...result,
      log,
    };
  };

  const progress = (o: RunOutcome) => {
    const shown = o.figures.filter((f) => (keyFigures ? keyFigures.includes(f.name) : f.expect));
    const verdict = o.passed ? 'ok' : `FAIL (${o.failures.join('; ')})`;
    console.log(
      `run ${String(o.run).padStart(String(runs).length)}/${runs} ${o.mode.padEnd(6)} seed ${o.seed}: ` +
        `${verdict}; ${shown.map(formatFigure).join(', ')}; run ${o.durationSeconds} s ` +
        `[${finished}/${jobs.length}]`,
    );
    // A failed run's own log says what happened when; the report keeps every run's.
    if (!o.passed) for (const line of o.log) console.log(`    ${line}`);
  };

  const worker = async (slot: number) => {
    if (slot > 0) await sleep(slot * STAGGER_MS);
    while (!interrupted && next < jobs.length) {
      const job = jobs[next++]!;
      const outcome = await runOne(job);
      outcomes.push(outcome);
      finished++;
      if (!single) progress(outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, (_, slot) => worker(slot)));

  const wallSeconds = seconds(Date.now() - startedAt.getTime());
  const modeOrder = (m: Mode) => parsed.modes.indexOf(m);
  outcomes.sort((a, b) => a.run - b.run || modeOrder(a.mode) - modeOrder(b.mode));
  const modes = aggregate(outcomes);
  const passed = !interrupted && outcomes.length === jobs.length && outcomes.every((o) => o.passed);
  console.log(`\n${scenario.name}: verdict ${passed ? 'as expected' : 'NOT as expected'}\n`);
  if (single) {
    console.log(table(outcomes));
  } else {
    console.log(aggregateTable(modes));
    for (const m of modes) {
      for (const f of m.failedRuns) {
        console.log(`${m.mode} run ${f.run} (--seed ${f.seed}) failed: ${f.failures.join('; ')}`);
      }
    }
  }
  if (interrupted) console.log(`\ninterrupted after ${outcomes.length} of ${jobs.length} runs`);
  console.log(`\nwall time ${wallSeconds} s`);
  const report = writeReport(
    root,
    {
      scenario: scenario.name,
      seed: parsed.seed,
      runCount: runs,
      concurrency,
      options: parsed.options,
      runs: outcomes,
      aggregate: modes,
      passed,
      wallSeconds,
    },
    startedAt,
  );
  console.log(`report: ${report}`);
  const pushgateway = `http://127.0.0.1:${env.PUSHGATEWAY_PORT ?? '19091'}`;
  for (const m of modes) {
    const problem = await pushAggregate(pushgateway, scenario.name, m);
    if (problem) console.warn(`figures of ${m.mode} not pushed: ${problem}`);
  }
  return passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
