/** What a domain error is: a stable code, never an HTTP status. The kit maps codes to statuses. */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export interface ErrorDefinition {
  readonly status: number;
  readonly title: string;
}

export type ErrorCatalog = Readonly<Record<string, ErrorDefinition>>;

/** The codes the kit itself raises; a service's catalogue is merged over these. */
export const kitErrors = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  MALFORMED_BODY: { status: 400, title: 'The request body could not be parsed' },
  UNAUTHENTICATED: { status: 401, title: 'A valid bearer token is required' },
  FORBIDDEN: { status: 403, title: 'The caller may not do this' },
  NOT_FOUND: { status: 404, title: 'No such resource' },
  ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  IDEMPOTENCY_KEY_IN_USE: { status: 409, title: 'A request with this Idempotency-Key is still in progress' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported content type' },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    title: 'This Idempotency-Key was used with a different request body',
  },
  INVALID_IDEMPOTENCY_KEY: { status: 400, title: 'The Idempotency-Key header is not valid' },
  DEPENDENCY_UNAVAILABLE: { status: 503, title: 'A dependency of this service is unavailable' },
  INTERNAL: { status: 500, title: 'Internal error' },
} as const satisfies ErrorCatalog;

/** Declares a service's error catalogue, checked at compile time. */
export function defineErrors<const C extends ErrorCatalog>(catalog: C): C {
  return catalog;
}

/** Builds a DomainError factory bound to a catalogue, so `fail('CUSTOMER_NOT_FOUND', ...)` is typo-checked. */
export function errorFactory<C extends ErrorCatalog>(_catalog: C) {
  return (code: keyof C & string, message: string, details?: Record<string, unknown>) =>
    new DomainError(code, message, details);
}

// Connection-level failures of a database, cache or broker: the caller should retry later (503), the
// service itself is fine. Codes from Node's net layer, pg (SQLSTATE class 08/57P) and mysql2.
const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
]);

/** True for an error that means "a dependency is unreachable", as opposed to a bug or bad input. */
export function isUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && unavailableCodes.has(e.code)) return true;
  // cassandra-driver names its connection-level failures instead of coding them.
  const name = (err as { name?: unknown }).name;
  if (name === 'NoHostAvailableError' || name === 'OperationTimedOutError' || name === 'BusyConnectionError')
    return true;
  if (Array.isArray(e.errors) && e.errors.some(isUnavailable)) return true; // AggregateError
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Connection is closed|connect ECONNREFUSED/i.test(
    message,
  );
}
