// Quotes over HTTP against a real PostgreSQL database of this file's own: books, prices, rules and rates
// set up through the API, then priced, explained, stored and read back.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type App,
  bearer,
  buildTestApp,
  createTestDatabase,
  fieldsOf,
  type TestDatabase,
} from '../helper.js';

let db: TestDatabase;
let app: App;
let admin: Record<string, string>;
let service: Record<string, string>;
const ids: Record<string, string> = {};
const hour = 3_600_000;

async function ok(
  method: 'POST' | 'PUT' | 'PATCH',
  url: string,
  payload: unknown,
): Promise<Record<string, string>> {
  const res = await app.inject({ method, url, headers: admin, payload: payload as Record<string, unknown> });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

async function rule(name: string, body: Record<string, unknown>): Promise<void> {
  ids[name] = (await ok('POST', '/rules', { name, region: 'eu-west', ...body })).id!;
}

beforeAll(async () => {
  db = await createTestDatabase();
  app = await buildTestApp({ PRICING_DATABASE_URL: db.url });
  admin = bearer(app, 'admin-1', ['admin']);
  service = bearer(app, 'cart-service', ['service']);
  const book = await ok('POST', '/price-books', { name: 'EU euro', region: 'eu-west', currency: 'EUR' });
  ids.book = book.id!;
  await ok('PUT', `/price-books/${book.id}/prices`, {
    prices: [
      { sku: 'SHOE-1', amountMinor: 4999, category: 'shoes' },
      { sku: 'HAT-1', amountMinor: 2000, category: 'hats' },
      { sku: 'SALE-1', amountMinor: 999 },
      { sku: 'SOCK-1', amountMinor: 999, category: 'socks' },
    ],
  });
  const now = Date.now();
  await rule('Shoe week', { type: 'percent_off', percentOffBp: 2000, match: { category: 'shoes' } });
  await rule('Five off shoe 1', {
    type: 'amount_off',
    amountMinor: 500,
    currency: 'EUR',
    match: { sku: 'SHOE-1' },
  });
  await rule('Hats by ten', {
    type: 'percent_off',
    percentOffBp: 1500,
    minQuantity: 10,
    match: { sku: 'HAT-1' },
  });
  await rule('Gold hats', {
    type: 'percent_off',
    percentOffBp: 500,
    priority: 1,
    match: { category: 'hats', segment: 'gold' },
  });
  await rule('Sale ended', {
    type: 'percent_off',
    percentOffBp: 5000,
    match: { sku: 'SALE-1' },
    validFrom: new Date(now - 48 * hour).toISOString(),
    validTo: new Date(now - 24 * hour).toISOString(),
  });
  await rule('Sale now', {
    type: 'percent_off',
    percentOffBp: 1000,
    match: { sku: 'SALE-1' },
    validFrom: new Date(now - hour).toISOString(),
    validTo: new Date(now + 24 * hour).toISOString(),
  });
  await rule('Sale later', {
    type: 'percent_off',
    percentOffBp: 9000,
    match: { sku: 'SALE-1' },
    validFrom: new Date(now + 24 * hour).toISOString(),
  });
  // Two USD rates: the newer one converts.
  await ok('POST', '/rates', {
    base: 'EUR',
    asOf: new Date(now - 2 * hour).toISOString(),
    source: 'test',
    rates: { USD: '1.0834' },
  });
  await ok('POST', '/rates', {
    base: 'EUR',
    asOf: new Date(now - hour).toISOString(),
    source: 'test',
    rates: { USD: '1.1', INR: '90' },
  });
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

function quote(payload: Record<string, unknown>, headers: Record<string, string> = service) {
  return app.inject({ method: 'POST', url: '/quotes', headers, payload });
}

const eu = (lines: unknown[], extra: Record<string, unknown> = {}) => ({
  region: 'eu-west',
  currency: 'EUR',
  lines,
  ...extra,
});

describe('POST /quotes', () => {
  it('prices every line, explains the winning rule and the losers, totals in minor units, and keeps it', async () => {
    const res = await quote(
      eu([
        { sku: 'SHOE-1', quantity: 2 },
        { sku: 'HAT-1', quantity: 1 },
      ]),
    );
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(res.headers.location).toBe(`/quotes/${body.quoteId}`);
    // 20 % of 4999 = 999.8 → 1000 off: 3999 beats 4499 (five off) at the same priority.
    expect(body.lines[0]).toMatchObject({
      sku: 'SHOE-1',
      category: 'shoes',
      quantity: 2,
      baseUnitPriceMinor: 4999,
      listUnitPriceMinor: 4999,
      unitDiscountMinor: 1000,
      unitPriceMinor: 3999,
      lineTotalMinor: 7998,
      lineDiscountMinor: 2000,
      rulesApplied: [
        { id: ids['Shoe week'], name: 'Shoe week', type: 'percent_off', percentOffBp: 2000, version: 1 },
      ],
      rulesNotApplied: [{ id: ids['Five off shoe 1'], reason: 'smaller-discount', unitPriceMinor: 4499 }],
    });
    expect(body.lines[1]).toMatchObject({
      sku: 'HAT-1',
      unitPriceMinor: 2000,
      rulesApplied: [],
      rulesNotApplied: [],
    });
    expect(body).toMatchObject({
      region: 'eu-west',
      currency: 'EUR',
      customerId: null,
      segment: null,
      priceBook: { id: ids.book, name: 'EU euro', currency: 'EUR' },
      conversion: null,
      subtotalMinor: 11998,
      discountMinor: 2000,
      totalMinor: 9998,
      expired: false,
    });
    expect(Date.parse(body.expiresAt) - Date.parse(body.pricedAt)).toBe(1800 * 1000);

    const read = await app.inject({ method: 'GET', url: `/quotes/${body.quoteId}`, headers: service });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(body);
  });

  it('keeps a quote as priced when a rule changes afterwards', async () => {
    const before = (await quote(eu([{ sku: 'SHOE-1', quantity: 1 }]))).json();
    await ok('PATCH', `/rules/${ids['Shoe week']}`, { percentOffBp: 3000 });
    try {
      const after = (await quote(eu([{ sku: 'SHOE-1', quantity: 1 }]))).json();
      expect(after.lines[0]).toMatchObject({ unitPriceMinor: 3499, rulesApplied: [{ version: 2 }] });
      const stored = (
        await app.inject({ method: 'GET', url: `/quotes/${before.quoteId}`, headers: service })
      ).json();
      expect(stored.lines[0]).toMatchObject({ unitPriceMinor: 3999, rulesApplied: [{ version: 1 }] });
    } finally {
      await ok('PATCH', `/rules/${ids['Shoe week']}`, { percentOffBp: 2000 });
    }
  });

  it('applies a quantity break from its minimum quantity', async () => {
    const nine = (await quote(eu([{ sku: 'HAT-1', quantity: 9 }]))).json();
    const ten = (await quote(eu([{ sku: 'HAT-1', quantity: 10 }]))).json();
    expect(nine.lines[0].unitPriceMinor).toBe(2000);
    expect(ten.lines[0]).toMatchObject({ unitPriceMinor: 1700, lineTotalMinor: 17000 });
  });

  it('lets a higher-priority segment rule win over a bigger quantity break: one rule per line', async () => {
    const res = await quote(eu([{ sku: 'HAT-1', quantity: 10 }], { segment: 'eu-west/gold/active' }));
    expect(res.json().segment).toBe('eu-west/gold/active');
    expect(res.json().lines[0]).toMatchObject({
      unitPriceMinor: 1900,
      rulesApplied: [{ id: ids['Gold hats'], priority: 1 }],
      rulesNotApplied: [{ id: ids['Hats by ten'], reason: 'lower-priority' }],
    });
  });

  it('applies only the rule whose time window holds now', async () => {
    const res = await quote(eu([{ sku: 'SALE-1', quantity: 1 }]));
    expect(res.json().lines[0]).toMatchObject({
      unitPriceMinor: 899,
      rulesApplied: [{ id: ids['Sale now'] }],
    });
  });

  it('takes a category from the caller when the price book has none', async () => {
    await rule('Sale category', {
      type: 'percent_off',
      percentOffBp: 2500,
      match: { category: 'clearance' },
    });
    try {
      const res = await quote(eu([{ sku: 'SALE-1', quantity: 1, category: 'clearance' }]));
      expect(res.json().lines[0]).toMatchObject({ category: 'clearance', unitPriceMinor: 749 });
      const ignored = await quote(eu([{ sku: 'SOCK-1', quantity: 1, category: 'clearance' }]));
      expect(ignored.json().lines[0]).toMatchObject({ category: 'socks', unitPriceMinor: 999 });
    } finally {
      await ok('PATCH', `/rules/${ids['Sale category']}`, { enabled: false });
    }
  });

  it('converts from the default book at the newest rate and says which (rate, as_of)', async () => {
    const res = await quote({ region: 'eu-west', currency: 'USD', lines: [{ sku: 'SHOE-1', quantity: 1 }] });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.conversion).toMatchObject({
      from: 'EUR',
      to: 'USD',
      rate: '1.1',
      legs: [{ currency: 'USD', rate: '1.1' }],
    });
    const rates = (await app.inject({ method: 'GET', url: '/rates' })).json();
    expect(body.conversion.asOf).toBe(
      rates.rates.find((r: { currency: string }) => r.currency === 'USD').asOf,
    );
    // 4999 × 1.1 = 5498.9 → 5499 USD cents; 20 % off = 1099.8 → 1100; 4399.
    expect(body.lines[0]).toMatchObject({
      baseUnitPriceMinor: 4999,
      listUnitPriceMinor: 5499,
      unitPriceMinor: 4399,
    });
    // The EUR amount rule does not apply to a USD quote: amounts are never converted.
    expect(body.lines[0].rulesNotApplied).toEqual([]);
  });

  it('answers 422 RATE_UNAVAILABLE without a rate, and 422 RATE_STALE past the allowed age', async () => {
    const noRate = await quote({
      region: 'eu-west',
      currency: 'GBP',
      lines: [{ sku: 'SHOE-1', quantity: 1 }],
    });
    expect(noRate.statusCode).toBe(422);
    expect(noRate.json()).toMatchObject({ code: 'RATE_UNAVAILABLE', from: 'EUR', to: 'GBP' });
    const strict = await buildTestApp({ PRICING_DATABASE_URL: db.url, PRICING_RATE_MAX_AGE_HOURS: '1' });
    try {
      // The INR rate is an hour and some milliseconds old by now.
      const stale = await strict.inject({
        method: 'POST',
        url: '/quotes',
        headers: bearer(strict, 'cart-service', ['service']),
        payload: { region: 'eu-west', currency: 'INR', lines: [{ sku: 'SHOE-1', quantity: 1 }] },
      });
      expect(stale.statusCode).toBe(422);
      expect(stale.json().code).toBe('RATE_STALE');
    } finally {
      await strict.close();
    }
  });

  it('answers 422 SKU_NOT_PRICED naming the SKU, and stores no quote', async () => {
    const { rows: before } = await db.pool.query('SELECT count(*)::int AS n FROM quotes');
    const res = await quote(
      eu([
        { sku: 'SHOE-1', quantity: 1 },
        { sku: 'GHOST-1', quantity: 1 },
      ]),
    );
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({
      code: 'SKU_NOT_PRICED',
      skus: ['GHOST-1'],
      field: 'body.lines.1.sku',
      fields: ['body.lines.1.sku'],
    });
    expect(res.json().detail).toContain('GHOST-1');
    const { rows: after } = await db.pool.query('SELECT count(*)::int AS n FROM quotes');
    expect(after[0].n).toBe(before[0].n);
  });

  it('answers 422 NO_PRICE_BOOK for a region without books', async () => {
    const res = await quote({ region: 'us-east', currency: 'USD', lines: [{ sku: 'SHOE-1', quantity: 1 }] });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('NO_PRICE_BOOK');
  });

  it('answers 400 naming the field for zero, negative, fractional, absurd or textual quantities', async () => {
    for (const quantity of [0, -1, 1.5, 10_001, 1e12, '2', null]) {
      const res = await quote(eu([{ sku: 'SHOE-1', quantity }]));
      expect(res.statusCode, String(quantity)).toBe(400);
      expect(res.json()).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [{ field: 'body.lines.0.quantity' }],
      });
    }
  });

  it('answers 400 for an unknown currency or region, no lines, a duplicate SKU, a bad SKU or an unknown field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...eu([{ sku: 'SHOE-1', quantity: 1 }]), currency: 'ZZZ' }, 'body.currency'],
      [{ ...eu([{ sku: 'SHOE-1', quantity: 1 }]), currency: 'usd' }, 'body.currency'],
      [{ ...eu([{ sku: 'SHOE-1', quantity: 1 }]), region: 'moon' }, 'body.region'],
      [eu([]), 'body.lines'],
      [
        eu([
          { sku: 'SHOE-1', quantity: 1 },
          { sku: 'shoe-1', quantity: 2 },
        ]),
        'body.lines.1.sku',
      ],
      [eu([{ sku: 'no spaces', quantity: 1 }]), 'body.lines.0.sku'],
      [eu([{ sku: 'SHOE-1', quantity: 1, price: 1 }]), 'body.lines.0.price'],
      [eu([{ sku: 'SHOE-1', quantity: 1 }], { discount: 50 }), 'body.discount'],
      [eu([{ sku: 'SHOE-1', quantity: 1 }], { segment: 'platinum' }), 'body.segment'],
      [eu(Array.from({ length: 201 }, (_, i) => ({ sku: `S-${i}`, quantity: 1 }))), 'body.lines'],
    ];
    for (const [payload, field] of cases) {
      const res = await quote(payload);
      expect(res.statusCode, JSON.stringify(payload).slice(0, 120)).toBe(400);
      expect(fieldsOf(res.json())).toContain(field);
    }
  });

  it('answers 401 without a token', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/quotes',
      payload: eu([{ sku: 'SHOE-1', quantity: 1 }]),
    });
    expect(res.statusCode).toBe(401);
  });

  it('replays an Idempotency-Key with the same quote, and refuses the key for another body', async () => {
    const headers = { ...service, 'idempotency-key': randomUUID() };
    const first = await quote(eu([{ sku: 'SHOE-1', quantity: 1 }]), headers);
    const again = await quote(eu([{ sku: 'SHOE-1', quantity: 1 }]), headers);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().quoteId).toBe(first.json().quoteId);
    const other = await quote(eu([{ sku: 'SHOE-1', quantity: 2 }]), headers);
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});

describe('quotes and customers', () => {
  const alice = randomUUID();
  const bob = randomUUID();

  it("quotes for the customer holding the token, and refuses another customer's id or a self-chosen segment", async () => {
    const own = await quote(eu([{ sku: 'HAT-1', quantity: 1 }]), bearer(app, alice, ['customer']));
    expect(own.statusCode).toBe(201);
    expect(own.json().customerId).toBe(alice);
    const other = await quote(
      eu([{ sku: 'HAT-1', quantity: 1 }], { customerId: bob }),
      bearer(app, alice, ['customer']),
    );
    expect(other.statusCode).toBe(403);
    const segment = await quote(
      eu([{ sku: 'HAT-1', quantity: 1 }], { segment: 'gold' }),
      bearer(app, alice, ['customer']),
    );
    expect(segment.statusCode).toBe(403);
    expect(segment.json().field).toBe('body.segment');
  });

  it('lets the customer, services and admins read a quote, and no other customer', async () => {
    const created = (await quote(eu([{ sku: 'HAT-1', quantity: 1 }], { customerId: alice }))).json();
    const read = (headers: Record<string, string>) =>
      app.inject({ method: 'GET', url: `/quotes/${created.quoteId}`, headers });
    expect((await read(bearer(app, alice, ['customer']))).statusCode).toBe(200);
    expect((await read(service)).statusCode).toBe(200);
    expect((await read(admin)).statusCode).toBe(200);
    expect((await read(bearer(app, bob, ['customer']))).statusCode).toBe(403);
    const missing = await app.inject({ method: 'GET', url: `/quotes/${randomUUID()}`, headers: service });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('QUOTE_NOT_FOUND');
  });
});

describe('the quote cart-service reads', () => {
  it('has a quote id, the currency, and per SKU the quantity asked, a whole unit price and rule ids', async () => {
    const res = await quote({
      region: 'eu-west',
      currency: 'EUR',
      customerId: randomUUID(),
      lines: [{ sku: 'shoe-1', quantity: 3 }],
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(typeof body.quoteId).toBe('string');
    expect(body.currency).toBe('EUR');
    expect(body.lines).toEqual([
      expect.objectContaining({
        sku: 'SHOE-1',
        quantity: 3,
        unitPriceMinor: 3999,
        rulesApplied: [expect.objectContaining({ id: ids['Shoe week'] })],
      }),
    ]);
    expect(Number.isInteger(body.lines[0].unitPriceMinor)).toBe(true);
  });
});
