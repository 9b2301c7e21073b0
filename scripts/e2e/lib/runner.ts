// Runs named checks in order against one shared context, one output line each. The first failure stops the
// run and names itself; the checks after it are printed as skipped, so the output always lists the whole path.
import { performance } from 'node:perf_hooks';

/** Something the path should have done and did not; the message says what was seen instead. */
export class CheckFailed extends Error {
  override name = 'CheckFailed';
}

class RunBoundReached extends CheckFailed {}

export interface Check<C> {
  name: string;
  /** Resolves with a short detail for the output line; throws CheckFailed (or anything) when it fails. */
  run: (ctx: C, budget: Budget) => Promise<string | undefined>;
}

/** How long a check may still wait: its own bound, cut to what is left of the whole run. */
export interface Budget {
  /** Milliseconds to wait, at most `wantedMs` and never past the run's deadline. */
  within(wantedMs: number): number;
}

export interface Outcome {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  ms: number;
  detail: string;
}

const marks = { passed: '✓', failed: '✗', skipped: '-' } as const;
const nameWidth = 50;

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function printOutcome(outcome: Outcome, out: NodeJS.WriteStream = process.stdout): void {
  const timing = outcome.status === 'skipped' ? '' : formatMs(outcome.ms).padStart(8);
  const detail = outcome.detail ? `  ${outcome.detail}` : '';
  if (out.isTTY) out.write('\r\x1b[2K');
  out.write(`  ${marks[outcome.status]} ${outcome.name.padEnd(nameWidth)}${timing}${detail}\n`);
}

/**
 * Runs `checks` in order until one fails or `deadline` (performance.now() based) passes. A check still
 * running at the deadline fails with that reason, so the run as a whole is bounded.
 */
export async function runChecks<C>(
  checks: readonly Check<C>[],
  ctx: C,
  deadline: number,
  out: NodeJS.WriteStream = process.stdout,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const budget: Budget = {
    within: (wantedMs) => Math.max(0, Math.min(wantedMs, deadline - performance.now())),
  };
  let failed = false;
  for (const check of checks) {
    if (failed) {
      const skipped: Outcome = { name: check.name, status: 'skipped', ms: 0, detail: 'skipped' };
      outcomes.push(skipped);
      printOutcome(skipped, out);
      continue;
    }
    if (out.isTTY) out.write(`  … ${check.name}`);
    const started = performance.now();
    let outcome: Outcome;
    try {
      const detail = await boundBy(check.run(ctx, budget), deadline);
      outcome = { name: check.name, status: 'passed', ms: performance.now() - started, detail: detail ?? '' };
    } catch (err) {
      failed = true;
      const message = err instanceof Error ? err.message : String(err);
      // A wait cut short by the run's bound says so, rather than only that its (shortened) wait ran out.
      const bound = performance.now() >= deadline && !(err instanceof RunBoundReached);
      outcome = {
        name: check.name,
        status: 'failed',
        ms: performance.now() - started,
        detail: bound ? `${message}; the run reached its time bound` : message,
      };
    }
    outcomes.push(outcome);
    printOutcome(outcome, out);
  }
  return outcomes;
}

async function boundBy<T>(work: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new RunBoundReached('the run reached its time bound before this check finished')),
      Math.max(0, deadline - performance.now()),
    );
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls `probe` until it answers something other than undefined, or the wait runs out; then fails with
 * `describe()` of the last state seen, which says what did not happen.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined>,
  options: { timeoutMs: number; intervalMs?: number; describe: () => string },
): Promise<T> {
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() >= deadline) throw new CheckFailed(options.describe());
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 200));
  }
}
