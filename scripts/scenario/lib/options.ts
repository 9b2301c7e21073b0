import type { Mode, Scenario } from './types.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ParsedOptions {
  scenario: string;
  modes: Mode[];
  seed: number;
  /** How many times each mode is run (`--runs`, default 1). */
  runs: number;
  /** How many runs may be in flight at once (`--concurrency`, default 1). */
  concurrency: number;
  options: Record<string, number | string | boolean>;
}

export const MAX_RUNS = 1000;
export const MAX_CONCURRENCY = 16;

/** `--name value` and `--name=value`; every value is required and every name must be known. */
export function parseArgs(argv: string[], scenarios: Record<string, Scenario>): ParsedOptions {
  const raw = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${arg}`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
    raw.set(name, value);
  }
  const name = raw.get('scenario');
  if (!name) throw new UsageError(`--scenario is required (${Object.keys(scenarios).join(', ')})`);
  const scenario = scenarios[name];
  if (!scenario) throw new UsageError(`unknown scenario ${name} (${Object.keys(scenarios).join(', ')})`);
  const mode = raw.get('mode') ?? 'both';
  if (!['broken', 'fixed', 'both'].includes(mode))
    throw new UsageError('--mode must be broken, fixed or both');
  const seedText = raw.get('seed') ?? '1';
  if (!/^\d{1,9}$/.test(seedText)) throw new UsageError('--seed must be a whole number');
  const runs = wholeNumber(raw, 'runs', 1, MAX_RUNS);
  const concurrency = wholeNumber(raw, 'concurrency', 1, MAX_CONCURRENCY);
  if (concurrency > 1 && !scenario.independentRuns)
    throw new UsageError(`scenario ${name} cannot overlap runs: --concurrency must be 1`);
  const options: Record<string, number | string | boolean> = {};
  const known = new Set(['scenario', 'mode', 'seed', 'runs', 'concurrency']);
  for (const option of scenario.options) {
    known.add(option.name);
    const text = raw.get(option.name);
    if (text === undefined) {
      options[option.name] = option.default;
      continue;
    }
    if (option.kind === 'int') {
      if (!/^-?\d+$/.test(text)) throw new UsageError(`--${option.name} must be a whole number`);
      const value = Number(text);
      if (
        (option.min !== undefined && value < option.min) ||
        (option.max !== undefined && value > option.max)
      ) {
        throw new UsageError(`--${option.name} must be between ${option.min} and ${option.max}`);
      }
      options[option.name] = value;
    } else {
      options[option.name] = text;
    }
  }
  for (const key of raw.keys()) {
    if (!known.has(key)) throw new UsageError(`unknown option --${key} for scenario ${name}`);
  }
  return {
    scenario: name,
    modes: mode === 'both' ? ['broken', 'fixed'] : [mode as Mode],
    seed: Number(seedText),
    runs,
    concurrency,
    options,
  };
}

function wholeNumber(raw: Map<string, string>, name: string, min: number, max: number): number {
  const text = raw.get(name);
  if (text === undefined) return 1;
  const value = /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max))
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return value;
}

/**
 * The seed of run `run` (1-based) of `--runs`: the first run keeps --seed, so one run is what it always was;
 * the others are drawn from a generator seeded by it. Any run repeats alone with `--seed <its seed>`.
 */
export function runSeed(seed: number, run: number): number {
  if (run <= 1) return seed;
  return Math.floor(seededRandom((seed ^ Math.imul(run, 0x9e3779b1)) >>> 0)() * 1_000_000_000);
}

/** mulberry32: a small, fast, seeded generator, so a run can be repeated exactly with --seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function usage(scenarios: Record<string, Scenario>): string {
  const lines = [
    'usage: pnpm scenario --scenario <name> [--mode broken|fixed|both] [--seed N] [--runs N] [--concurrency C]',
    '                     [scenario options]',
    '',
    '  --mode (default both): broken, fixed, or both one after the other',
    '  --seed (default 1): seed of the first run; later runs derive theirs from it',
    `  --runs (default 1, at most ${MAX_RUNS}): independent runs per mode, judged each and aggregated`,
    `  --concurrency (default 1, at most ${MAX_CONCURRENCY}): runs in flight at once (scenarios with independent runs)`,
    '',
  ];
  for (const s of Object.values(scenarios)) {
    lines.push(`  ${s.name}: ${s.description}${s.independentRuns ? '' : ' (runs one at a time)'}`);
    for (const o of s.options) lines.push(`    --${o.name} (default ${o.default}): ${o.description}`);
  }
  return lines.join('\n');
}
