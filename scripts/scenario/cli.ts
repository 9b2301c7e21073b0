// `pnpm scenario --scenario <name> [--mode broken|fixed|both] [--seed N] [options]`: runs an incident
// scenario in each mode, prints the verdict table, writes reports/scenarios/<scenario>-<timestamp>.json and
// pushes the figures to the Pushgateway. Exit 0 when every expectation holds, 1 when one does not (or the
// run could not be made), 2 on a usage error.
import path from 'node:path';
import { stackEnv } from '@shop/testing';
import { parseArgs, seededRandom, UsageError, usage } from './lib/options.js';
import { pushFigures, writeReport } from './lib/report.js';
import type { RunResult, Scenario } from './lib/types.js';
import { table, verdict } from './lib/verdict.js';
import { oversell } from './scenarios/oversell.js';

const scenarios: Record<string, Scenario> = { [oversell.name]: oversell };
const root = path.resolve(import.meta.dirname, '../..');

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
  const startedAt = new Date();
  const runs: RunResult[] = [];
  for (const mode of parsed.modes) {
    console.log(`\n== ${scenario.name}: ${mode} mode (seed ${parsed.seed}) ==`);
    try {
      runs.push(
        await scenario.run({
          mode,
          seed: parsed.seed,
          random: seededRandom(parsed.seed),
          options: parsed.options,
          env,
          log: (message) => console.log(`[${mode}] ${message}`),
        }),
      );
    } catch (err) {
      console.error(`[${mode}] the run could not be made: ${(err as Error).message}`);
      runs.push({
        mode,
        figures: [{ name: 'run_completed', value: 0, expect: { op: '=', value: 1 } }],
        details: { error: (err as Error).message },
      });
    }
  }
  const passed = verdict(runs);
  console.log(`\n${scenario.name}: verdict ${passed ? 'as expected' : 'NOT as expected'}\n`);
  console.log(table(runs));
  const report = writeReport(
    root,
    { scenario: scenario.name, seed: parsed.seed, options: parsed.options, runs, passed },
    startedAt,
  );
  console.log(`\nreport: ${report}`);
  const pushgateway = `http://127.0.0.1:${env.PUSHGATEWAY_PORT ?? '19091'}`;
  for (const run of runs) {
    const problem = await pushFigures(pushgateway, scenario.name, run, verdict([run]));
    if (problem) console.warn(`figures of ${run.mode} not pushed: ${problem}`);
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
