import {
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  type IPolicy,
  isBrokenCircuitError,
  retry,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import { DomainError } from './errors.js';

export interface HttpClientOptions {
  /** The dependency's short name (`pricing`); named in errors, logs and the problem's `dependency`. */
  name: string;
  baseUrl: string;
  /** Bound on one attempt, connection included (default 1000 ms). */
  timeoutMs?: number;
  /** Attempts in all for an idempotent call, the first included (default 3). */
  attempts?: number;
  /** Backoff between attempts: exponential with decorrelated jitter (defaults 50 ms, at most 1000 ms). */
  backoff?: { initialMs: number; maxMs: number };
  /** Opens after this many failures in a row (default 5); half-opens, letting one call through, after `halfOpenAfterMs` (default 5000). */
  breaker?: { failures: number; halfOpenAfterMs: number };
  /** Headers sent with every call, e.g. a service token; a function is called per call. */
  headers?: Record<string, string> | (() => Record<string, string>);
  /** Told when the circuit opens, half-opens or closes again. */
  onStateChange?: (state: CircuitStateName) => void;
}

export type CircuitStateName = 'closed' | 'open' | 'half-open' | 'isolated';

export interface HttpRequest {
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path under `baseUrl`, e.g. `/products/ABC-1`; encode path segments yourself. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * Whether the call may be repeated without changing the result. Only then is it retried. Defaults to
   * true for GET, HEAD, PUT and DELETE and false otherwise: a POST must opt in (e.g. a pure computation).
   */
  idempotent?: boolean;
  /** Overrides the client's per-attempt timeout for this call. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON, otherwise the text (empty for no body). */
  body: T;
}

/** A service-to-service JSON client: 2xx–4xx answers are returned, the dependency's failures are thrown. */
export interface HttpClient {
  readonly name: string;
  readonly state: CircuitStateName;
  request<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>>;
}

/** A dependency's answer that says "not now" rather than "no": worth a retry and counted by the breaker. */
class TransientStatusError extends Error {
  constructor(readonly status: number) {
    super(`answered ${status}`);
    this.name = 'TransientStatusError';
  }
}

const transientStatuses = new Set([408, 429]);
const idempotentMethods = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);
const stateNames: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

// cockatiel 3's isTaskCancelledError tests the wrong marker property, so timeouts are recognised by class.
function isTimeout(err: unknown): boolean {
  return err instanceof TaskCancelledError;
}

// Network failures (fetch rejects with TypeError), attempts cut by the timeout, and 5xx/408/429 answers.
// Everything else, a 4xx above all, is the caller's business and neither retried nor held against the
// dependency.
function isTransient(err: unknown): boolean {
  return (
    err instanceof TransientStatusError ||
    err instanceof TypeError ||
    isTimeout(err) ||
    (err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError'))
  );
}

function reason(err: unknown): string {
  if (isBrokenCircuitError(err)) return 'circuit open after repeated failures';
  if (isTimeout(err)) return 'no answer in time';
  if (err instanceof TransientStatusError) return err.message;
  const cause = (err as { cause?: { code?: string } }).cause?.code;
  return cause ?? (err instanceof Error ? err.message : String(err));
}

/**
 * A JSON client for calling another service: a timeout on every attempt, retries with jittered
 * exponential backoff for idempotent calls only, and a circuit breaker shared by all calls to this
 * dependency (cockatiel). When the dependency cannot answer, the call throws DomainError
 * `DEPENDENCY_UNAVAILABLE` (503) with `dependency: name`, so the route answers 503 problem+json.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const handled = handleWhen(isTransient);
  const breaker: CircuitBreakerPolicy = circuitBreaker(handled, {
    halfOpenAfter: options.breaker?.halfOpenAfterMs ?? 5000,
    breaker: new ConsecutiveBreaker(options.breaker?.failures ?? 5),
  });
  if (options.onStateChange) {
    const notify = options.onStateChange;
    breaker.onStateChange((state) => notify(stateNames[state]));
  }
  const retries = retry(handled, {
    maxAttempts: Math.max(0, (options.attempts ?? 3) - 1),
    backoff: new ExponentialBackoff({
      initialDelay: options.backoff?.initialMs ?? 50,
      maxDelay: options.backoff?.maxMs ?? 1000,
    }),
  });
  const defaultTimeout = timeout(options.timeoutMs ?? 1000, TimeoutStrategy.Aggressive);

  const policyFor = (request: HttpRequest): IPolicy => {
    const perAttempt =
      request.timeoutMs === undefined
        ? defaultTimeout
        : timeout(request.timeoutMs, TimeoutStrategy.Aggressive);
    const method = request.method ?? 'GET';
    const idempotent = request.idempotent ?? idempotentMethods.has(method);
    // The breaker sits inside the retry: every attempt counts towards opening it, and once open, the
    // retry stops at once (a BrokenCircuitError is not transient) instead of waiting out its backoff.
    return idempotent ? wrap(retries, breaker, perAttempt) : wrap(breaker, perAttempt);
  };

  async function attempt(request: HttpRequest, url: URL, signal: AbortSignal): Promise<HttpResponse> {
    const shared = typeof options.headers === 'function' ? options.headers() : (options.headers ?? {});
    const headers: Record<string, string> = { accept: 'application/json', ...shared, ...request.headers };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(url, {
      method: request.method ?? 'GET',
      headers,
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      signal,
    });
    const text = await res.text();
    if (res.status >= 500 || transientStatuses.has(res.status)) throw new TransientStatusError(res.status);
    const type = res.headers.get('content-type') ?? '';
    let body: unknown = text;
    if (text && /[/+]json\b/.test(type)) {
      try {
        body = JSON.parse(text);
      } catch {
        // A 2xx that claims JSON but is not is the dependency's fault, like a 5xx.
        throw new TransientStatusError(res.status);
      }
    }
    return { status: res.status, headers: res.headers, body };
  }

  return {
    name: options.name,
    get state() {
      return stateNames[breaker.state];
    },
    async request<T>(request: HttpRequest): Promise<HttpResponse<T>> {
      // Built before any attempt: a bad path is the caller's bug, not the dependency's failure.
      const url = new URL(base + request.path);
      for (const [key, value] of Object.entries(request.query ?? {})) {
        if (value !== undefined) url.searchParams.set(key, String(value));
      }
      try {
        return (await policyFor(request).execute(
          ({ signal }) => attempt(request, url, signal),
          request.signal,
        )) as HttpResponse<T>;
      } catch (err) {
        if (isTransient(err) || isBrokenCircuitError(err)) {
          throw new DomainError('DEPENDENCY_UNAVAILABLE', `${options.name} is unavailable: ${reason(err)}`, {
            dependency: options.name,
          });
        }
        throw err;
      }
    },
  };
}
