// What a scenario is to the framework: options it accepts, a run per mode, and figures with expectations.

export type Mode = 'broken' | 'fixed';

/** One measured figure of a run; `expect` says what the verdict needs of it in this mode. */
export interface Figure {
  name: string;
  value: number;
  unit?: string;
  /** Absent: reported only. */
  expect?: { op: '>' | '>=' | '=' | '<=' | '<'; value: number };
  /**
   * How repeated runs combine into the figure's headline (`--runs`): `sum` (a count) or `p50` (a duration);
   * default `p50` when the figure has a unit, else `sum`. The maximum is always reported beside it.
   */
  aggregate?: 'sum' | 'p50';
}

export interface RunResult {
  mode: Mode;
  figures: Figure[];
  /** Anything else worth keeping in the JSON report (per-order outcomes, timings). */
  details?: Record<string, unknown>;
}

export interface ScenarioContext {
  mode: Mode;
  /** This run's seed: --seed for the first run, derived from it for the others (`runSeed`). */
  seed: number;
  /** Deterministic randomness from --seed. */
  random: () => number;
  /** Scenario-specific options, already validated. */
  options: Record<string, number | string | boolean>;
  env: NodeJS.ProcessEnv;
  log: (message: string) => void;
}

export interface ScenarioOption {
  name: string;
  description: string;
  kind: 'int' | 'string';
  default: number | string;
  min?: number;
  max?: number;
}

export interface Scenario {
  name: string;
  description: string;
  options: ScenarioOption[];
  /**
   * Whether two runs may be in flight at once (`--concurrency` above 1): true only when each run works on
   * its own data (fresh SKU, carts, customers) and so cannot see another's.
   */
  independentRuns?: boolean;
  /** Figures printed on each run's progress line under `--runs`; default: those with an expectation. */
  keyFigures?: string[];
  run(context: ScenarioContext): Promise<RunResult>;
}
