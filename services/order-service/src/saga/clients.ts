// The saga's calls to inventory and payment, each through the kit's HTTP client (timeout per attempt,
// retries only for idempotent calls, a circuit breaker per dependency) with a short-lived service token.
import { createHttpClient, DomainError, type HttpClient } from '@shop/common';

export interface SagaClients {
  inventory: HttpClient;
  payment: HttpClient;
}

export interface SagaClientOptions {
  inventoryUrl: string;
  paymentUrl: string;
  timeoutMs: number;
  /** Signs a token for `sub` with the given roles (the app's JWT signer). */
  sign: (claims: { sub: string; roles: ['service'] }) => string;
}

export function createSagaClients(options: SagaClientOptions): SagaClients {
  let token = '';
  let tokenAt = 0;
  // Tokens live an hour; a fresh one every ten minutes keeps calls from ever carrying an expired one.
  const headers = () => {
    if (Date.now() - tokenAt > 600_000) {
      token = options.sign({ sub: 'order-service', roles: ['service'] });
      tokenAt = Date.now();
    }
    return { authorization: `Bearer ${token}` };
  };
  const common = { timeoutMs: options.timeoutMs, attempts: 2, headers };
  return {
    inventory: createHttpClient({ name: 'inventory', baseUrl: options.inventoryUrl, ...common }),
    payment: createHttpClient({ name: 'payment', baseUrl: options.paymentUrl, ...common }),
  };
}

/** The problem code of a 4xx answer, when it is a problem document. */
export function problemCode(body: unknown): string | undefined {
  if (body && typeof body === 'object' && 'code' in body) {
    const code = (body as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** True for the kit client's "dependency cannot answer now": worth another attempt later. */
export function isTransient(err: unknown): boolean {
  return err instanceof DomainError && err.code === 'DEPENDENCY_UNAVAILABLE';
}
