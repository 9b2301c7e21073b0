// `pnpm bench storefront`: what a shopper's browsing costs, against a bare Fastify hello-world in the same
// run. Each target is one entry of `targets`: it prepares its data, then is loaded like the baseline.
import { createHmac } from 'node:crypto';
import { env, type Figure, load, startBaseline } from '../lib.js';
import { prepareAddItems } from './cart.js';

interface Target {
  name: string;
  /** Prepares what the target reads and returns the URL and headers to load. */
  prepare(): Promise<{ url: string; headers?: Record<string, string> }>;
  /** A target that is not a GET measures itself (prepared in `prepare`). */
  measure?(): Promise<Figure>;
}

const catalog = `http://${env.STACK_HOST}:${env.CATALOG_PORT}`;
const category = 'bench-storefront';

/** An HS256 token the services accept (same secret and issuer as the stack), for the bench's own setup. */
function devToken(sub: string, roles: string[]): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub, roles, iss: env.JWT_ISSUER, iat: now, exp: now + 600 })}`;
  return `${unsigned}.${createHmac('sha256', env.JWT_SECRET!).update(unsigned).digest('base64url')}`;
}

async function ensureRunning(base: string, service: string): Promise<void> {
  const ready = await fetch(`${base}/ready`).catch(() => undefined);
  if (!ready?.ok) throw new Error(`${service} is not running at ${base}; run \`make up\``);
}

const targets: Target[] = [
  {
    name: 'GraphQL product listing (20)',
    async prepare() {
      await ensureRunning(catalog, 'catalog-service');
      const authorization = `Bearer ${devToken('bench', ['admin'])}`;
      // Twenty active products in a category of their own; 409 means an earlier run made them.
      for (let i = 1; i <= 20; i++) {
        const res = await fetch(`${catalog}/products`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization },
          body: JSON.stringify({
            sku: `BENCH-SF-${String(i).padStart(3, '0')}`,
            title: `Bench product ${i}`,
            description: 'Made by pnpm bench storefront',
            category,
            attributes: { index: i },
            region: 'eu-west',
            availableRegions: ['eu-west', 'us-east', 'ap-south'],
            status: 'active',
          }),
        });
        if (res.status !== 201 && res.status !== 409)
          throw new Error(`could not create a bench product: ${res.status} ${await res.text()}`);
      }
      const query = `{ products(filter: { category: "${category}" }, first: 20) {
        items { sku title category availableRegions attributes { name value } media { url } }
        pageInfo { endCursor hasNextPage } } }`;
      const url = `${catalog}/graphql?query=${encodeURIComponent(query)}`;
      const first = await fetch(url);
      const body = (await first.json()) as { data?: { products: { items: unknown[] } }; errors?: unknown };
      if (!first.ok || body.errors || body.data?.products.items.length !== 20)
        throw new Error(`the listing answered ${first.status}: ${JSON.stringify(body).slice(0, 300)}`);
      return { url };
    },
  },
  {
    // The service's cheapest route: the kit's hooks and metrics, but neither traced nor logged. No route of
    // the service can be faster, so the listing's ratio is read against this one too.
    name: 'catalog GET /health (untraced)',
    async prepare() {
      return { url: `${catalog}/health` };
    },
  },
  (() => {
    // Adding to the cart: catalog lookup, pricing quote, a MariaDB transaction with its outbox event.
    let measure: () => Promise<Figure> = () => Promise.reject(new Error('not prepared'));
    return {
      name: 'cart POST /carts/{id}/items',
      async prepare() {
        const adding = await prepareAddItems();
        measure = adding.measure;
        return { url: adding.cartUrl, headers: adding.auth };
      },
      measure: () => measure(),
    };
  })(),
];

export default async function storefrontSuite(): Promise<Figure[]> {
  const prepared = [];
  for (const target of targets)
    prepared.push({ name: target.name, measure: target.measure, ...(await target.prepare()) });
  const baseline = await startBaseline();
  try {
    const figures = [await load('bare Fastify hello-world', baseline.url)];
    for (const t of prepared)
      figures.push(t.measure ? await t.measure() : await load(t.name, t.url, t.headers ?? {}));
    return figures;
  } finally {
    baseline.child.kill();
  }
}
