import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearer } from '../helper.js';
import { useCartApp } from './fixture.js';

const fx = useCartApp();
const { customer, customerCart, add, rows } = fx;

describe('POST /carts', () => {
  it("creates a customer's cart in the region's currency, and answers the same open cart again", async () => {
    const { id, auth } = customer();
    const first = await fx.app.inject({
      method: 'POST',
      url: '/carts',
      headers: auth,
      payload: { region: 'us-east' },
    });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      customerId: id,
      region: 'us-east',
      currency: 'USD',
      status: 'open',
    });
    expect(first.json().cartToken).toBeUndefined();
    expect(first.headers.location).toBe(`/carts/${first.json().id}`);
    const again = await fx.app.inject({
      method: 'POST',
      url: '/carts',
      headers: auth,
      payload: { region: 'us-east' },
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
  });

  it('ends with one open cart when the same customer creates carts concurrently', async () => {
    const { id, auth } = customer();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        fx.app.inject({ method: 'POST', url: '/carts', headers: auth, payload: { region: 'ap-south' } }),
      ),
    );
    expect(new Set(answers.map((a) => a.json().id)).size).toBe(1);
    expect(await rows("SELECT id FROM carts WHERE customer_id = ? AND status = 'open'", [id])).toHaveLength(
      1,
    );
  });

  it('creates a guest cart with a token that opens it, and only it', async () => {
    const res = await fx.app.inject({ method: 'POST', url: '/carts', payload: { region: 'eu-west' } });
    expect(res.statusCode).toBe(201);
    const guest = res.json();
    expect(guest.customerId).toBeNull();
    expect(guest.cartToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const read = await fx.app.inject({
      method: 'GET',
      url: `/carts/${guest.id}`,
      headers: { 'x-cart-token': guest.cartToken },
    });
    expect(read.statusCode).toBe(200);
    expect(read.json().cartToken).toBeUndefined();
    const [stored] = await rows('SELECT guest_token_hash FROM carts WHERE id = ?', [guest.id]);
    expect(stored!.guest_token_hash).not.toBe(guest.cartToken);
    const noToken = await fx.app.inject({ method: 'GET', url: `/carts/${guest.id}` });
    expect(noToken.statusCode).toBe(401);
    const wrong = await fx.app.inject({
      method: 'GET',
      url: `/carts/${guest.id}`,
      headers: { 'x-cart-token': 'not-the-token' },
    });
    expect(wrong.statusCode).toBe(403);
  });

  it('answers 400 naming the field for an unknown region, a bad currency or an unknown field', async () => {
    const { auth } = customer();
    const region = await fx.app.inject({
      method: 'POST',
      url: '/carts',
      headers: auth,
      payload: { region: 'mars' },
    });
    expect(region.statusCode).toBe(400);
    expect(region.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(region.json().errors[0].field).toBe('body.region');
    const currency = await fx.app.inject({
      method: 'POST',
      url: '/carts',
      headers: auth,
      payload: { region: 'eu-west', currency: 'euro' },
    });
    expect(currency.json().errors[0].field).toBe('body.currency');
    const extra = await fx.app.inject({
      method: 'POST',
      url: '/carts',
      headers: auth,
      payload: { region: 'eu-west', coupon: 'FREE' },
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().errors[0].field).toBe('body.coupon');
  });

  it("answers 403 to a customer creating another customer's cart, and 401 to a bad token", async () => {
    const { auth } = customer();
    const res = await fx.app.inject({
      method: 'POST',
      url: '/carts',
      headers: auth,
      payload: { region: 'eu-west', customerId: randomUUID() },
    });
    expect(res.statusCode).toBe(403);
    const bad = await fx.app.inject({
      method: 'POST',
      url: '/carts',
      headers: { authorization: 'Bearer nonsense' },
      payload: { region: 'eu-west' },
    });
    expect(bad.statusCode).toBe(401);
  });
});

describe('GET /carts/:cartId', () => {
  it('serves the live copy from Redis and rebuilds it from MariaDB when Redis lost it', async () => {
    const { auth } = customer();
    const cart = await customerCart(auth);
    const hit = await fx.app.inject({ method: 'GET', url: `/carts/${cart.id}`, headers: auth });
    expect(hit.headers['x-cart-source']).toBe('redis');
    await fx.app.redis.del(`cart:v1:${cart.id}`);
    const miss = await fx.app.inject({ method: 'GET', url: `/carts/${cart.id}`, headers: auth });
    expect(miss.statusCode).toBe(200);
    expect(miss.headers['x-cart-source']).toBe('mariadb');
    expect(miss.json()).toEqual(hit.json());
    const refilled = await fx.app.inject({ method: 'GET', url: `/carts/${cart.id}`, headers: auth });
    expect(refilled.headers['x-cart-source']).toBe('redis');
  });

  it('never lets an older version replace a newer live copy', async () => {
    const { auth } = customer();
    const cart = await customerCart(auth);
    const stored = (await fx.app.carts.get(cart.id))!;
    await fx.app.liveCarts.put({ ...stored, version: stored.version + 5, currency: 'NEW' });
    await fx.app.liveCarts.put({ ...stored, version: stored.version + 1, currency: 'OLD' });
    expect((await fx.app.liveCarts.get(cart.id))!.currency).toBe('NEW');
  });

  it('answers 403 to another customer, 404 for an unknown cart and 400 for a bad id', async () => {
    const { auth } = customer();
    const cart = await customerCart(auth);
    const other = customer();
    expect(
      (await fx.app.inject({ method: 'GET', url: `/carts/${cart.id}`, headers: other.auth })).statusCode,
    ).toBe(403);
    const unknown = await fx.app.inject({ method: 'GET', url: `/carts/${randomUUID()}`, headers: auth });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('CART_NOT_FOUND');
    expect((await fx.app.inject({ method: 'GET', url: '/carts/123', headers: auth })).statusCode).toBe(400);
  });

  it('lets a service read any cart', async () => {
    const { auth } = customer();
    const cart = await customerCart(auth);
    const res = await fx.app.inject({
      method: 'GET',
      url: `/carts/${cart.id}`,
      headers: { authorization: bearer(fx.app, 'order-service', ['service']) },
    });
    expect(res.statusCode).toBe(200);
  });
});

describe('POST /carts/:cartId/items', () => {
  it('adds a line with the pricing snapshot, persists it and writes cart.item.added.v1 to the outbox', async () => {
    const { auth } = customer();
    const cart = await customerCart(auth);
    const res = await add(cart.id, auth, { sku: 'APPLE-1', quantity: 2 });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      itemCount: 2,
      subtotalMinor: 300,
      lines: [
        {
          sku: 'APPLE-1',
          name: 'Apple',
          quantity: 2,
          unitPriceMinor: 150,
          lineTotalMinor: 300,
          currency: 'EUR',
          rulesApplied: ['base-price'],
        },
      ],
    });
    expect(res.json().lines[0].quoteId).toMatch(/^q-/);
    const lines = await rows(
      'SELECT quantity, unit_price_minor, quote_id, region FROM cart_lines WHERE cart_id = ?',
      [cart.id],
    );
    expect(lines).toEqual([
      { quantity: 2, unit_price_minor: 150, quote_id: res.json().lines[0].quoteId, region: 'eu-west' },
    ]);
    const events = await rows('SELECT topic, region, aggregateid FROM outbox_events WHERE aggregateid = ?', [
      cart.id,
    ]);
    expect(events).toEqual([{ topic: 'cart.item.added.v1', region: 'eu-west', aggregateid: cart.id }]);
  });

  it('adds to an existing line and prices the whole line again', async () => {
    const { auth } = customer();
    const cart = await customerCart(auth);
    await add(cart.id, auth, { sku: 'APPLE-1', quantity: 2 });
    fx.deps.prices.set('APPLE-1', 140);
    const res = await add(cart.id, auth, { sku: 'APPLE-1', quantity: 3 });
    expect(res.json().lines).toHaveLength(1);
    expect(res.json().lines[0]).toMatchObject({ quantity: 5, unitPriceMinor: 140 });
  });

  it('adds to many carts at once without a deadlock or a lost unit', async () => {
    const carts = await Promise.all(
      Array.from({ length: 16 }, async () => {
        const { auth } = customer();
        return { auth, cart: await customerCart(auth) };
      }),
    );
    const answers = await Promise.all(
      carts.flatMap(({ auth, cart }) =>
        Array.from({ length: 3 }, () => add(cart.id, auth, { sku: 'APPLE-1', quantity: 1 })),
      ),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(answers.map(() => 201));
    for (const { cart } of carts) {
      expect(await rows('SELECT quantity FROM cart_lines WHERE cart_id = ?', [cart.id])).toEqual([
        { quantity: 3 },
      ]);
    }
  });

  it('replays the first answer for the same Idempotency-Key instead of adding twice', async () => {
    const { auth } = customer();
    const cart = await customerCart(auth);
    const headers = { ...auth, 'idempotency-key': randomUUID() };
    const first = await add(cart.id, headers, { sku: 'PEAR-1', quantity: 1 });
    const second = await add(cart.id, headers, { sku: 'PEAR-1', quantity: 1 });
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json().lines[0].quantity).toBe(1);
    expect(first.json().version).toBe(second.json().version);
  });

  it("never replays one guest's answer to another caller with the same Idempotency-Key", async () => {
    const guest = await fx.guestCart();
    const key = randomUUID();
    const first = await add(
      guest.id,
      { 'x-cart-token': guest.cartToken, 'idempotency-key': key },
      { sku: 'APPLE-1', quantity: 1 },
    );
    expect(first.statusCode).toBe(201);
    const stranger = await add(
      guest.id,
      { 'x-cart-token': 'not-the-token', 'idempotency-key': key },
      { sku: 'APPLE-1', quantity: 1 },
    );
    expect(stranger.statusCode).toBe(403);
    const anonymous = await add(guest.id, { 'idempotency-key': key }, { sku: 'APPLE-1', quantity: 1 });
    expect(anonymous.statusCode).toBe(401);
    const again = await add(
      guest.id,
      { 'x-cart-token': guest.cartToken, 'idempotency-key': key },
      { sku: 'APPLE-1', quantity: 1 },
    );
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it.each([
    ['zero', 0],
    ['negative', -3],
    ['fractional', 1.5],
    ['absurd', 1_000_000],
    ['a string', '2'],
  ])('answers 400 naming quantity for a %s quantity and writes nothing', async (_label, quantity) => {
    const { auth } = customer();
    const cart = await customerCart(auth);
    const res = await add(cart.id, auth, { sku: 'APPLE-1', quantity });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('body.quantity');
    expect(await rows('SELECT sku FROM cart_lines WHERE cart_id = ?', [cart.id])).toEqual([]);
  });

  it('answers 422 for an unknown SKU and for an inactive product, writing nothing', async () => {
    const { auth } = customer();
    const cart = await customerCart(auth);
    const unknown = await add(cart.id, auth, { sku: 'NOPE-404', quantity: 1 });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().code).toBe('UNKNOWN_SKU');
    const inactive = await add(cart.id, auth, { sku: 'OLD-1', quantity: 1 });
    expect(inactive.statusCode).toBe(422);
    expect(inactive.json().code).toBe('PRODUCT_INACTIVE');
    expect(await rows('SELECT sku FROM cart_lines WHERE cart_id = ?', [cart.id])).toEqual([]);
    expect(await rows('SELECT id FROM outbox_events WHERE aggregateid = ?', [cart.id])).toEqual([]);
  });

  it("answers 422 for a product not sold in the cart's region", async () => {
    const { auth } = customer();
    const cart = await customerCart(auth, 'ap-south');
    fx.deps.products.set('EU-ONLY', { title: 'Regional', status: 'active', availableRegions: ['eu-west'] });
    fx.deps.prices.set('EU-ONLY', 10);
    const res = await add(cart.id, auth, { sku: 'EU-ONLY', quantity: 1 });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('PRODUCT_NOT_IN_REGION');
  });

  it('compares SKUs case-insensitively, storing them as the catalog does', async () => {
    const { auth } = customer();
    const cart = await customerCart(auth);
    await add(cart.id, auth, { sku: 'apple-1', quantity: 1 });
    const res = await add(cart.id, auth, { sku: 'Apple-1', quantity: 1 });
    expect(res.json().lines).toMatchObject([{ sku: 'APPLE-1', quantity: 2 }]);
  });

  it('answers 422 when the line would exceed the per-line limit', async () => {
    const { auth } = customer();
    const cart = await customerCart(auth);
    await add(cart.id, auth, { sku: 'APPLE-1', quantity: 60 });
    const res = await add(cart.id, auth, { sku: 'APPLE-1', quantity: 60 });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('QUANTITY_LIMIT');
  });

  it("answers 409 when the client's currency is not the cart's", async () => {
    const { auth } = customer();
    const cart = await customerCart(auth);
    const res = await add(cart.id, auth, { sku: 'APPLE-1', quantity: 1, currency: 'USD' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'CURRENCY_MISMATCH', cartCurrency: 'EUR' });
  });

  it('answers 422 when pricing has no price for the product', async () => {
    const { auth } = customer();
    const cart = await customerCart(auth);
    fx.deps.products.set('NOPRICE-1', { title: 'Unpriced', status: 'active' });
    const res = await add(cart.id, auth, { sku: 'NOPRICE-1', quantity: 1 });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('PRICE_UNAVAILABLE');
  });

  it("answers 403 for another customer's cart and writes nothing", async () => {
    const { auth } = customer();
    const cart = await customerCart(auth);
    const res = await add(cart.id, customer().auth, { sku: 'APPLE-1', quantity: 1 });
    expect(res.statusCode).toBe(403);
    expect(await rows('SELECT sku FROM cart_lines WHERE cart_id = ?', [cart.id])).toEqual([]);
  });

  it('answers 400 for an unknown field and a malformed SKU', async () => {
    const { auth } = customer();
    const cart = await customerCart(auth);
    const extra = await add(cart.id, auth, { sku: 'APPLE-1', quantity: 1, price: 1 });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().errors[0].field).toBe('body.price');
    const sku = await add(cart.id, auth, { sku: '../etc', quantity: 1 });
    expect(sku.statusCode).toBe(400);
    expect(sku.json().errors[0].field).toBe('body.sku');
  });
});

describe('PATCH and DELETE /carts/:cartId/items/:sku', () => {
  it('changes a quantity with a new snapshot, and removes a line', async () => {
    const { auth } = customer();
    const cart = await customerCart(auth);
    await add(cart.id, auth, { sku: 'APPLE-1', quantity: 1 });
    await add(cart.id, auth, { sku: 'PEAR-1', quantity: 1 });
    fx.deps.prices.set('APPLE-1', 120);
    const changed = await fx.app.inject({
      method: 'PATCH',
      url: `/carts/${cart.id}/items/APPLE-1`,
      headers: auth,
      payload: { quantity: 4 },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().lines[0]).toMatchObject({ sku: 'APPLE-1', quantity: 4, unitPriceMinor: 120 });
    const removed = await fx.app.inject({
      method: 'DELETE',
      url: `/carts/${cart.id}/items/PEAR-1`,
      headers: auth,
    });
    expect(removed.statusCode).toBe(200);
    expect(removed.json().lines.map((l: { sku: string }) => l.sku)).toEqual(['APPLE-1']);
    expect(await rows('SELECT sku, quantity FROM cart_lines WHERE cart_id = ?', [cart.id])).toEqual([
      { sku: 'APPLE-1', quantity: 4 },
    ]);
  });

  it('answers 404 for a SKU not in the cart and 400 for a zero quantity', async () => {
    const { auth } = customer();
    const cart = await customerCart(auth);
    const missing = await fx.app.inject({
      method: 'DELETE',
      url: `/carts/${cart.id}/items/PEAR-1`,
      headers: auth,
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('LINE_NOT_FOUND');
    const zero = await fx.app.inject({
      method: 'PATCH',
      url: `/carts/${cart.id}/items/PEAR-1`,
      headers: auth,
      payload: { quantity: 0 },
    });
    expect(zero.statusCode).toBe(400);
    expect(zero.json().errors[0].field).toBe('body.quantity');
  });
});
