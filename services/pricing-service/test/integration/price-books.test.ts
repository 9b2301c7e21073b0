// Price books and base prices over HTTP against a real PostgreSQL database of this file's own.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, bearer, buildTestApp, createTestDatabase, type TestDatabase } from '../helper.js';

let db: TestDatabase;
let app: App;
let admin: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await buildTestApp({ PRICING_DATABASE_URL: db.url });
  admin = bearer(app, 'admin-1', ['admin']);
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

async function createBook(body: Record<string, unknown>) {
  return app.inject({ method: 'POST', url: '/price-books', headers: admin, payload: body });
}

describe('POST /price-books', () => {
  it("creates a book; the region's first book becomes its default, later ones do not", async () => {
    const first = await createBook({ name: 'EU euro', region: 'eu-west', currency: 'EUR' });
    expect(first.statusCode).toBe(201);
    expect(first.headers.location).toBe(`/price-books/${first.json().id}`);
    expect(first.json()).toMatchObject({
      name: 'EU euro',
      region: 'eu-west',
      currency: 'EUR',
      isDefault: true,
    });
    const second = await createBook({ name: 'EU pound', region: 'eu-west', currency: 'GBP' });
    expect(second.json().isDefault).toBe(false);
  });

  it('answers 409 PRICE_BOOK_EXISTS for a second book in the same region and currency', async () => {
    const res = await createBook({ name: 'again', region: 'eu-west', currency: 'EUR' });
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'PRICE_BOOK_EXISTS', field: 'body.currency' });
  });

  it('answers 400 naming the field for an unknown currency, an unknown region or an unknown field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'x', region: 'eu-west', currency: 'XYZ' }, 'body.currency'],
      [{ name: 'x', region: 'eu-west', currency: 'eur' }, 'body.currency'],
      [{ name: 'x', region: 'mars', currency: 'EUR' }, 'body.region'],
      [{ name: 'x', region: 'eu-west', currency: 'CHF', colour: 'red' }, 'body.colour'],
    ];
    for (const [body, field] of cases) {
      const res = await createBook(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  });

  it('answers 401 without a token and 403 for a customer', async () => {
    const body = { name: 'x', region: 'us-east', currency: 'USD' };
    expect((await app.inject({ method: 'POST', url: '/price-books', payload: body })).statusCode).toBe(401);
    const res = await app.inject({
      method: 'POST',
      url: '/price-books',
      headers: bearer(app, randomUUID(), ['customer']),
      payload: body,
    });
    expect(res.statusCode).toBe(403);
  });
});

describe('PATCH and DELETE /price-books/{id}', () => {
  it('moves the default to another book and refuses to delete the default while others exist', async () => {
    const usd = (await createBook({ name: 'US dollar', region: 'us-east', currency: 'USD' })).json();
    const eur = (await createBook({ name: 'US euro', region: 'us-east', currency: 'EUR' })).json();
    const moved = await app.inject({
      method: 'PATCH',
      url: `/price-books/${eur.id}`,
      headers: admin,
      payload: { isDefault: true },
    });
    expect(moved.json().isDefault).toBe(true);
    expect(
      (await app.inject({ method: 'GET', url: `/price-books/${usd.id}`, headers: admin })).json().isDefault,
    ).toBe(false);
    const refused = await app.inject({ method: 'DELETE', url: `/price-books/${eur.id}`, headers: admin });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('PRICE_BOOK_IS_DEFAULT');
    expect(
      (await app.inject({ method: 'DELETE', url: `/price-books/${usd.id}`, headers: admin })).statusCode,
    ).toBe(204);
    expect(
      (await app.inject({ method: 'DELETE', url: `/price-books/${eur.id}`, headers: admin })).statusCode,
    ).toBe(204);
    const gone = await app.inject({ method: 'GET', url: `/price-books/${eur.id}`, headers: admin });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().code).toBe('PRICE_BOOK_NOT_FOUND');
  });

  it('makes exactly one book the default when two requests race to create the first book of a region', async () => {
    const [a, b] = await Promise.all([
      createBook({ name: 'AP rupee', region: 'ap-south', currency: 'INR' }),
      createBook({ name: 'AP dollar', region: 'ap-south', currency: 'SGD' }),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    const { rows } = await db.pool.query(
      "SELECT count(*)::int AS defaults FROM price_books WHERE region = 'ap-south' AND is_default",
    );
    expect(rows[0].defaults).toBe(1);
  });
});

describe('base prices', () => {
  let bookId: string;
  beforeAll(async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/price-books?region=eu-west&currency=EUR',
      headers: admin,
    });
    bookId = res.json().items[0].id;
  });

  it('sets a price (201), replaces it (200) and reads it back, SKU upper-cased like the catalog does', async () => {
    const created = await app.inject({
      method: 'PUT',
      url: `/price-books/${bookId}/prices/shoe-1`,
      headers: admin,
      payload: { amountMinor: 4999, category: 'shoes' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      sku: 'SHOE-1',
      amountMinor: 4999,
      category: 'shoes',
      region: 'eu-west',
    });
    const replaced = await app.inject({
      method: 'PUT',
      url: `/price-books/${bookId}/prices/SHOE-1`,
      headers: admin,
      payload: { amountMinor: 4599, category: 'shoes' },
    });
    expect(replaced.statusCode).toBe(200);
    const read = await app.inject({
      method: 'GET',
      url: `/price-books/${bookId}/prices/SHOE-1`,
      headers: admin,
    });
    expect(read.json().amountMinor).toBe(4599);
  });

  it('answers 400 for a negative, fractional or absurd amount', async () => {
    for (const amountMinor of [-1, 12.5, 10_000_000_000, '100']) {
      const res = await app.inject({
        method: 'PUT',
        url: `/price-books/${bookId}/prices/SHOE-2`,
        headers: admin,
        payload: { amountMinor },
      });
      expect(res.statusCode, String(amountMinor)).toBe(400);
      expect(res.json().errors[0].field).toBe('body.amountMinor');
    }
  });

  it('writes a batch all or nothing: a duplicate SKU is 400 and stores none of it', async () => {
    const bad = await app.inject({
      method: 'PUT',
      url: `/price-books/${bookId}/prices`,
      headers: admin,
      payload: {
        prices: [
          { sku: 'BATCH-1', amountMinor: 100 },
          { sku: 'batch-1', amountMinor: 200 },
        ],
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('body.prices.1.sku');
    const missing = await app.inject({
      method: 'GET',
      url: `/price-books/${bookId}/prices/BATCH-1`,
      headers: admin,
    });
    expect(missing.statusCode).toBe(404);

    const prices = Array.from({ length: 25 }, (_, i) => ({
      sku: `BATCH-${String(i).padStart(2, '0')}`,
      amountMinor: 100 + i,
      category: i % 2 ? 'odd' : 'even',
    }));
    const ok = await app.inject({
      method: 'PUT',
      url: `/price-books/${bookId}/prices`,
      headers: admin,
      payload: { prices },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ created: 25, replaced: 0 });
    const again = await app.inject({
      method: 'PUT',
      url: `/price-books/${bookId}/prices`,
      headers: admin,
      payload: { prices },
    });
    expect(again.json()).toMatchObject({ created: 0, replaced: 25 });
  });

  it('pages through prices by SKU with a cursor, and filters by category', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/price-books/${bookId}/prices?limit=10${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (
        await app.inject({ method: 'GET', url, headers: bearer(app, 'cart-service', ['service']) })
      ).json();
      seen.push(...page.items.map((p: { sku: string }) => p.sku));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...seen].sort());
    expect(seen.filter((s) => s.startsWith('BATCH-'))).toHaveLength(25);
    const odd = await app.inject({
      method: 'GET',
      url: `/price-books/${bookId}/prices?category=odd&limit=100`,
      headers: admin,
    });
    expect(odd.json().items).toHaveLength(12);
    const badCursor = await app.inject({
      method: 'GET',
      url: `/price-books/${bookId}/prices?cursor=nope`,
      headers: admin,
    });
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json().code).toBe('INVALID_CURSOR');
  });

  it('removes a price (204) and then answers 404', async () => {
    const url = `/price-books/${bookId}/prices/BATCH-00`;
    expect((await app.inject({ method: 'DELETE', url, headers: admin })).statusCode).toBe(204);
    const res = await app.inject({ method: 'DELETE', url, headers: admin });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('PRICE_NOT_FOUND');
  });

  it('answers 404 for prices of a book that does not exist', async () => {
    const res = await app.inject({
      method: 'PUT',
      url: `/price-books/${randomUUID()}/prices/SHOE-1`,
      headers: admin,
      payload: { amountMinor: 1 },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('PRICE_BOOK_NOT_FOUND');
  });
});
