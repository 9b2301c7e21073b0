// cart-service against the real pricing-service and catalog-service of the running stack: their APIs as
// they are, not as the stand-ins imitate them. Products and prices are created with unique SKUs per run.
import { randomBytes } from 'node:crypto';
import { stackEnv } from '@shop/testing';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, bearer, buildTestApp } from '../helper.js';

const env = stackEnv();
const pricingUrl = env.CART_PRICING_URL!;
const catalogUrl = env.CART_CATALOG_URL!;
const run = randomBytes(4).toString('hex').toUpperCase();
const sku = (name: string) => `CT-${run}-${name}`;

let app: App;
let db: mysql.Pool;
let admin: Record<string, string>;
let bookId: string;

async function call(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(base + path, {
    method,
    headers: { ...admin, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function ready(base: string, name: string) {
  const res = await fetch(`${base}/ready`).catch(() => undefined);
  if (!res?.ok) throw new Error(`${name} is not running at ${base}: start the stack (make up)`);
}

async function product(code: string, status: 'active' | 'archived') {
  const res = await call(catalogUrl, 'POST', '/products', {
    sku: code,
    title: `Contract ${code}`,
    category: 'contract-tests',
    region: 'eu-west',
    availableRegions: ['eu-west', 'us-east', 'ap-south'],
    status,
  });
  expect(res.status).toBe(201);
}

async function price(code: string, amountMinor: number) {
  const res = await call(pricingUrl, 'PUT', `/price-books/${bookId}/prices/${code}`, { amountMinor });
  expect([200, 201]).toContain(res.status);
}

beforeAll(async () => {
  await ready(pricingUrl, 'pricing-service');
  await ready(catalogUrl, 'catalog-service');
  app = await buildTestApp();
  db = mysql.createPool({ uri: env.CART_DATABASE_URL!, connectionLimit: 2 });
  admin = { authorization: bearer(app, 'cart-contract-test', ['admin']) };
  // The eu-west EUR book: found, or created (the first book of a region becomes its default).
  const books = await call(pricingUrl, 'GET', '/price-books?region=eu-west&currency=EUR');
  bookId = books.body.items[0]?.id;
  if (!bookId) {
    const created = await call(pricingUrl, 'POST', '/price-books', {
      name: 'eu-west EUR',
      region: 'eu-west',
      currency: 'EUR',
    });
    expect(created.status).toBe(201);
    bookId = created.body.id;
  }
  await product(sku('A'), 'active');
  await price(sku('A'), 1299);
  await product(sku('OLD'), 'archived');
  await product(sku('NOPRICE'), 'active');
}, 60_000);
afterAll(async () => {
  await app?.close();
  await db?.end();
});

async function newCart() {
  const customerId = crypto.randomUUID();
  const auth = { authorization: bearer(app, customerId, ['customer']) };
  const cart = (
    await app.inject({ method: 'POST', url: '/carts', headers: auth, payload: { region: 'eu-west' } })
  ).json();
  const add = (code: string, quantity: number) =>
    app.inject({
      method: 'POST',
      url: `/carts/${cart.id}/items`,
      headers: auth,
      payload: { sku: code, quantity },
    });
  return { cart, auth, add };
}

describe('against the real pricing and catalog', () => {
  it('adds a line with the snapshot of a real quote, which pricing keeps', async () => {
    const { add } = await newCart();
    const res = await add(sku('A').toLowerCase(), 2);
    expect(res.statusCode).toBe(201);
    const line = res.json().lines[0];
    expect(line).toMatchObject({
      sku: sku('A'),
      name: `Contract ${sku('A')}`,
      quantity: 2,
      unitPriceMinor: 1299,
    });
    const quote = await call(pricingUrl, 'GET', `/quotes/${line.quoteId}`);
    expect(quote.status).toBe(200);
    expect(quote.body).toMatchObject({ currency: 'EUR', region: 'eu-west' });
    expect(quote.body.lines[0]).toMatchObject({ sku: sku('A'), quantity: 2, unitPriceMinor: 1299 });
  });

  it('answers 422 for an unknown SKU, an archived product and a product without a price', async () => {
    const { add } = await newCart();
    const unknown = await add(sku('NOPE'), 1);
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().code).toBe('UNKNOWN_SKU');
    // catalog shows archived products to admins only; to cart they do not exist
    const archived = await add(sku('OLD'), 1);
    expect(archived.statusCode).toBe(422);
    expect(['UNKNOWN_SKU', 'PRODUCT_INACTIVE']).toContain(archived.json().code);
    const unpriced = await add(sku('NOPRICE'), 1);
    expect(unpriced.statusCode).toBe(422);
    expect(unpriced.json().code).toBe('PRICE_UNAVAILABLE');
  });

  it('prices an old cart again at checkout with the current base price and shows the difference', async () => {
    const { cart, auth, add } = await newCart();
    expect((await add(sku('A'), 3)).statusCode).toBe(201);
    await db.query('UPDATE cart_lines SET priced_at = NOW(6) - INTERVAL 1 DAY WHERE cart_id = ?', [cart.id]);
    await price(sku('A'), 1499);
    const res = await app.inject({ method: 'POST', url: `/carts/${cart.id}/checkout`, headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      subtotalMinor: 4497,
      previousSubtotalMinor: 3897,
      differenceMinor: 600,
      priceChanges: [
        { sku: sku('A'), previousUnitPriceMinor: 1299, unitPriceMinor: 1499, differenceMinor: 600 },
      ],
    });
    await price(sku('A'), 1299);
  });
});
