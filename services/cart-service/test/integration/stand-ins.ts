// Pricing and catalog as real HTTP servers on loopback, answering the documented API of those services,
// with prices and products a test can set. Used where a test needs prices it controls (re-pricing
// differences) or a dependency that fails in a chosen way; the contract test talks to the real services.
import Fastify from 'fastify';

export interface Product {
  title: string;
  status: 'draft' | 'active' | 'archived';
  availableRegions?: string[];
}

export interface StandIns {
  url: string;
  products: Map<string, Product>;
  /** Unit price in minor units by SKU; a SKU without one gets 422 from /quotes. */
  prices: Map<string, number>;
  /** Quotes answered so far. */
  quotes: number;
  /** Answer every call with this status (e.g. 503) until cleared. */
  failWith: number | undefined;
  /** Answer only the next this many calls with 503. */
  failNext: number;
  /** Requests received, answered or not. */
  requests: number;
  /** Delay every answer by this many milliseconds. */
  delayMs: number;
  close(): Promise<void>;
}

export async function startStandIns(): Promise<StandIns> {
  const app = Fastify();
  const state: Omit<StandIns, 'url' | 'close'> = {
    products: new Map(),
    prices: new Map(),
    quotes: 0,
    failWith: undefined,
    failNext: 0,
    requests: 0,
    delayMs: 0,
  };
  let sequence = 0;
  app.addHook('onRequest', async (_request, reply) => {
    state.requests += 1;
    if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
    if (state.failWith) return reply.status(state.failWith).send({ title: 'stand-in failure' });
    if (state.failNext > 0) {
      state.failNext -= 1;
      return reply.status(503).send({ title: 'stand-in failure' });
    }
  });
  app.get('/products/:sku', async (request, reply) => {
    const { sku } = request.params as { sku: string };
    const product = state.products.get(sku);
    if (!product)
      return reply.status(404).type('application/problem+json').send({ code: 'PRODUCT_NOT_FOUND' });
    return {
      sku,
      title: product.title,
      status: product.status,
      availableRegions: product.availableRegions ?? ['eu-west', 'us-east', 'ap-south'],
    };
  });
  app.post('/quotes', async (request, reply) => {
    const body = request.body as { currency: string; lines: Array<{ sku: string; quantity: number }> };
    const missing = body.lines.find((l) => !state.prices.has(l.sku));
    if (missing) {
      return reply
        .status(422)
        .type('application/problem+json')
        .send({ code: 'NO_PRICE', detail: `no price for ${missing.sku}` });
    }
    state.quotes += 1;
    sequence += 1;
    return reply.status(201).send({
      quoteId: `q-${sequence}`,
      currency: body.currency,
      lines: body.lines.map((l) => ({
        sku: l.sku,
        quantity: l.quantity,
        unitPriceMinor: state.prices.get(l.sku)!,
        rulesApplied: ['base-price'],
      })),
    });
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return Object.assign(state, { url: address, close: () => app.close() }) as StandIns;
}
