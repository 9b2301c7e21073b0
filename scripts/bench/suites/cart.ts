// `pnpm bench cart`: POST /carts/{id}/items — catalog lookup, pricing quote, one MariaDB transaction with
// its outbox event, the live copy in Redis — and GET /carts/{id} from Redis, against a bare Fastify
// hello-world. Needs the stack with customer, catalog, pricing and cart services (make up).
import autocannon from 'autocannon';
import { duration, env, type Figure, load, startBaseline } from '../lib.js';

const host = env.STACK_HOST ?? '127.0.0.1';
const base = (port: string | undefined) => `http://${host}:${port}`;
const cartUrl = base(env.CART_PORT);
const pricingUrl = base(env.PRICING_PORT);
const catalogUrl = base(env.CATALOG_PORT);
const customerUrl = base(env.CUSTOMER_PORT);

// Adding a line waits on catalog and pricing; at the suite-wide 32 connections pricing's quotes pass
// cart's 800 ms timeout on a 2-core machine running the whole stack, the circuit opens and the figure
// would count fast 503s. 8 connections measure the path working; BENCH_CART_CONNECTIONS overrides.
const addConnections = Number(process.env.BENCH_CART_CONNECTIONS ?? 8);

// 64 carts × 5 SKUs × 99 units per line: room for about 31,000 adds, spread evenly, before a line is full.
const cartCount = 64;
const skus = ['BENCH-CART-1', 'BENCH-CART-2', 'BENCH-CART-3', 'BENCH-CART-4', 'BENCH-CART-5'];

async function json(url: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  const res = await fetch(url, {
    ...init,
    headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function seed(auth: Record<string, string>): Promise<void> {
  for (const sku of skus) {
    const created = await json(`${catalogUrl}/products`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        sku,
        title: `Bench ${sku}`,
        category: 'bench',
        region: 'eu-west',
        availableRegions: ['eu-west'],
        status: 'active',
      }),
    });
    if (created.status !== 201 && created.status !== 409)
      throw new Error(`catalog refused ${sku}: ${created.status}`);
  }
  const books = await json(`${pricingUrl}/price-books?region=eu-west&currency=EUR`, { headers: auth });
  let bookId: string | undefined = books.body?.items?.[0]?.id;
  if (!bookId) {
    const book = await json(`${pricingUrl}/price-books`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'eu-west EUR', region: 'eu-west', currency: 'EUR' }),
    });
    if (book.status !== 201) throw new Error(`pricing refused the price book: ${book.status}`);
    bookId = book.body.id;
  }
  for (const sku of skus) {
    const put = await json(`${pricingUrl}/price-books/${bookId}/prices/${sku}`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify({ amountMinor: 1999 }),
    });
    if (put.status >= 300) throw new Error(`pricing refused the price of ${sku}: ${put.status}`);
  }
}

/**
 * Seeds products and prices, makes fresh carts (each for a customer of its own, so earlier runs never fill
 * a line) and returns how to load `POST /carts/{id}/items` and a cart to read. Also used by the storefront
 * suite for its add-to-cart figure.
 */
export async function prepareAddItems(): Promise<{
  measure(): Promise<Figure>;
  cartUrl: string;
  auth: Record<string, string>;
}> {
  for (const [name, url] of [
    ['cart', cartUrl],
    ['pricing', pricingUrl],
    ['catalog', catalogUrl],
    ['customer', customerUrl],
  ] as const) {
    const ready = await fetch(`${url}/ready`).catch(() => undefined);
    if (!ready?.ok) throw new Error(`${name}-service is not running at ${url}; run \`make up\``);
  }
  const token = await json(`${customerUrl}/auth/dev-token`, {
    method: 'POST',
    body: JSON.stringify({ role: 'admin', subject: 'bench' }),
  });
  if (token.status !== 200) throw new Error(`no admin token from customer-service: ${token.status}`);
  const auth = { authorization: `Bearer ${token.body.token}` };
  await seed(auth);

  const carts: string[] = [];
  for (let i = 0; i < cartCount; i++) {
    const cart = await json(`${cartUrl}/carts`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ region: 'eu-west', customerId: crypto.randomUUID() }),
    });
    if (cart.status !== 201) throw new Error(`could not create a bench cart: ${cart.status}`);
    carts.push(cart.body.id);
  }
  const first = await json(`${cartUrl}/carts/${carts[0]}/items`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ sku: skus[0], quantity: 1 }),
  });
  if (first.status !== 201) throw new Error(`POST /carts/{id}/items answered ${first.status}`);

  let sent = 0;
  const addItems = (seconds: number) =>
    autocannon({
      url: cartUrl,
      connections: addConnections,
      duration: seconds,
      headers: { ...auth, 'content-type': 'application/json' },
      requests: [
        {
          method: 'POST',
          // Round robin over carts, then SKUs: every line grows at the same pace.
          setupRequest: (request) => {
            const n = sent++;
            return {
              ...request,
              path: `/carts/${carts[n % cartCount]}/items`,
              body: JSON.stringify({ sku: skus[Math.floor(n / cartCount) % skus.length], quantity: 1 }),
            };
          },
        },
      ],
    });
  return {
    cartUrl: `${cartUrl}/carts/${carts[0]}`,
    auth,
    async measure() {
      await addItems(2); // warm-up, as load() does
      const result = await addItems(duration);
      return {
        name: `POST /carts/{id}/items (${addConnections} conn.)`,
        requestsPerSecond: Math.round(result.requests.average),
        p50ms: result.latency.p50,
        p99ms: result.latency.p99,
        non2xx: result.non2xx,
      };
    },
  };
}

export default async function cartSuite(): Promise<Figure[]> {
  const adding = await prepareAddItems();
  const baseline = await startBaseline();
  try {
    const bare = await load('bare Fastify hello-world', baseline.url);
    const read = await load('GET /carts/{id} (live copy)', adding.cartUrl, adding.auth);
    return [bare, read, await adding.measure()];
  } finally {
    baseline.child.kill();
  }
}
