// What a scenario is to the framework: options it accepts, a run per mode, and figures with expectations.

export type Mode = 'broken' | 'fixed';

/** One measured figure of a run; `expect` says what the verdict needs of it in this mode. */
export interface Figure {
  name: string;
  value: number;
  unit?: string;
  /** Absent: reported only. */
  expect?: { op: '>' | '>=' | '=' | '<=' | '<'; value: number };
}

export interface RunResult {
  mode: Mode;
  figures: Figure[];
  /** Anything else worth keeping in the JSON report (per-order outcomes, timings). */
  details?: Record<string, unknown>;
}

export interface ScenarioContext {
  mode: Mode;
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
  run(context: ScenarioContext): Promise<RunResult>;
}
