/** How long to wait before retry number `attempt` (1 = the first retry). */
export interface BackoffOptions {
  /** Delay before the first retry. */
  initialMs?: number;
  /** Upper bound on any single delay, so a long outage is probed at a steady rate. */
  maxMs?: number;
  /** Growth per attempt. */
  factor?: number;
  /**
   * Share of each delay that is randomised (0..1). Consumers of one group retrying against the same failed
   * dependency would otherwise hammer it in lock step.
   */
  jitter?: number;
}

/** Exponential backoff: initialMs · factor^(attempt-1), capped at maxMs, with `jitter` of it randomised. */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const initial = options.initialMs ?? 200;
  const max = options.maxMs ?? 10_000;
  const factor = options.factor ?? 2;
  const jitter = Math.min(Math.max(options.jitter ?? 0.2, 0), 1);
  const exponent = Math.max(attempt, 1) - 1;
  const base = Math.min(initial * factor ** exponent, max);
  // Jitter only ever shortens the delay, so maxMs stays a true bound.
  return Math.round(base * (1 - jitter * random()));
}

/** The delays a message meets before it is parked after `maxAttempts` failed attempts (no jitter). */
export function backoffSchedule(maxAttempts: number, options: BackoffOptions = {}): number[] {
  const delays: number[] = [];
  for (let attempt = 1; attempt < maxAttempts; attempt++)
    delays.push(backoffDelay(attempt, { ...options, jitter: 0 }));
  return delays;
}

/** Resolves after `ms`, or at once when `signal` aborts (then it rejects with the signal's reason). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
