import { createHttpClient, DomainError, type HttpClient, type Region } from '@shop/common';
import { z } from 'zod';
import type { PriceSnapshot } from '../domain/cart.js';
import { fail } from '../errors.js';

export interface DependencyOptions {
  baseUrl: string;
  timeoutMs: number;
  attempts: number;
  breakerFailures: number;
  breakerHalfOpenMs: number;
  /** A fresh service token per call. */
  token: () => string;
  onStateChange: (dependency: string, state: string) => void;
}

export function dependencyClient(name: string, options: DependencyOptions): HttpClient {
  return createHttpClient({
    name,
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs,
    attempts: options.attempts,
    breaker: { failures: options.breakerFailures, halfOpenAfterMs: options.breakerHalfOpenMs },
    headers: () => ({ authorization: `Bearer ${options.token()}` }),
    onStateChange: (state) => options.onStateChange(name, state),
  });
}

const QuoteLine = z.object({
  sku: z.string(),
  quantity: z.number().int(),
  unitPriceMinor: z.number().int().nonnegative(),
  rulesApplied: z.array(z.union([z.string(), z.object({ id: z.string() }).loose()])).default([]),
});
const Quote = z
  .object({
    id: z.string().min(1).optional(),
    quoteId: z.string().min(1).optional(),
    currency: z.string().length(3),
    lines: z.array(QuoteLine),
  })
  .refine((q) => q.id ?? q.quoteId, 'a quote id');

export interface QuoteRequest {
  region: Region;
  currency: string;
  customerId: string | null;
  lines: Array<{ sku: string; quantity: number }>;
}

function unexpected(detail: string): DomainError {
  return new DomainError('DEPENDENCY_UNAVAILABLE', `pricing answered ${detail}`, { dependency: 'pricing' });
}

/**
 * Quotes from pricing-service. A quote is a computation, so the call is retried like a read. Anything but
 * a well-formed quote for exactly the lines asked is an error: a line is never priced by guess.
 */
export function createPricingClient(http: HttpClient) {
  return {
    async quote(request: QuoteRequest): Promise<Map<string, PriceSnapshot>> {
      const res = await http.request({
        method: 'POST',
        path: '/quotes',
        idempotent: true,
        body: {
          region: request.region,
          currency: request.currency,
          ...(request.customerId ? { customerId: request.customerId } : {}),
          lines: request.lines,
        },
      });
      if (res.status === 404 || res.status === 422) {
        const problem = res.body as { detail?: string } | undefined;
        throw fail(
          'PRICE_UNAVAILABLE',
          problem?.detail ??
            `no price for ${request.lines.map((l) => l.sku).join(', ')} in ${request.currency}`,
        );
      }
      if (res.status >= 300) throw unexpected(`${res.status}`);
      const parsed = Quote.safeParse(res.body);
      if (!parsed.success)
        throw unexpected(`a quote this service cannot read: ${parsed.error.issues[0]?.message}`);
      const quote = { ...parsed.data, quoteId: (parsed.data.quoteId ?? parsed.data.id)! };
      const pricedAt = new Date().toISOString();
      const snapshots = new Map<string, PriceSnapshot>();
      for (const line of quote.lines) {
        snapshots.set(line.sku, {
          quoteId: quote.quoteId,
          unitPriceMinor: line.unitPriceMinor,
          currency: quote.currency,
          rulesApplied: line.rulesApplied.map((r) => (typeof r === 'string' ? r : r.id)),
          pricedAt,
        });
      }
      for (const asked of request.lines) {
        const line = quote.lines.find((l) => l.sku === asked.sku);
        if (!line || line.quantity !== asked.quantity)
          throw unexpected(`a quote without ${asked.sku} × ${asked.quantity}`);
      }
      return snapshots;
    },
  };
}

export type PricingClient = ReturnType<typeof createPricingClient>;
