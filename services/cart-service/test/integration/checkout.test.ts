import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useCartApp } from './fixture.js';

const fx = useCartApp({ CART_REPRICE_AFTER_SECONDS: '900' });
const { customer, customerCart, guestCart, add, rows } = fx;

function checkout(cartId: string, headers: Record<string, string>) {
  return fx.app.inject({ method: 'POST', url: `/carts/${cartId}/checkout`, headers });
}

/** Makes every line of a cart look priced `seconds` ago, as an old cart's would be. */
async function age(cartId: string, seconds: number) {
  await fx.db.query('UPDATE cart_lines SET priced_at = NOW(6) - INTERVAL ? SECOND WHERE cart_id = ?', [
    seconds,
    cartId,
  ]);
}

describe('POST /carts/:cartId/checkout', () => {
  it('checks out a fresh cart at its snapshot prices and writes cart.checkedout.v1', async () => {
    const { id, auth } = customer();
    const cart = await customerCart(auth);
    await add(cart.id, auth, { sku: 'APPLE-1', quantity: 2 });
    await add(cart.id, auth, { sku: 'PEAR-1', quantity: 1 });
    const quotesBefore = fx.deps.quotes;
    const res = await checkout(cart.id, auth);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      cartId: cart.id,
      customerId: id,
      region: 'eu-west',
      currency: 'EUR',
      itemCount: 3,
      subtotalMinor: 575,
      repricedSkus: [],
      priceChanges: [],
      differenceMinor: 0,
    });
    expect(fx.deps.quotes).toBe(quotesBefore); // fresh snapshots: pricing is not asked again
    const [stored] = await rows('SELECT status FROM carts WHERE id = ?', [cart.id]);
    expect(stored!.status).toBe('checked_out');
    const events = await rows('SELECT topic FROM outbox_events WHERE aggregateid = ? ORDER BY seq', [
      cart.id,
    ]);
    expect(events.map((e) => e.topic)).toEqual([
      'cart.item.added.v1',
      'cart.item.added.v1',
      'cart.checkedout.v1',
    ]);
  });

  it('prices an old cart again and shows the difference', async () => {
    const { auth } = customer();
    const cart = await customerCart(auth);
    await add(cart.id, auth, { sku: 'APPLE-1', quantity: 2 });
    await add(cart.id, auth, { sku: 'PEAR-1', quantity: 1 });
    await age(cart.id, 3600);
    fx.deps.prices.set('APPLE-1', 180);
    const res = await checkout(cart.id, auth);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      subtotalMinor: 635,
      previousSubtotalMinor: 575,
      differenceMinor: 60,
      repricedSkus: ['APPLE-1', 'PEAR-1'],
      priceChanges: [
        {
          sku: 'APPLE-1',
          quantity: 2,
          previousUnitPriceMinor: 150,
          unitPriceMinor: 180,
          differenceMinor: 60,
        },
      ],
    });
    const lines = await rows('SELECT sku, unit_price_minor FROM cart_lines WHERE cart_id = ? ORDER BY sku', [
      cart.id,
    ]);
    expect(lines).toEqual([
      { sku: 'APPLE-1', unit_price_minor: 180 },
      { sku: 'PEAR-1', unit_price_minor: 275 },
    ]);
  });

  it('checks a cart out once: ten concurrent calls and a late one all answer the first result', async () => {
    const { auth } = customer();
    const cart = await customerCart(auth);
    await add(cart.id, auth, { sku: 'APPLE-1', quantity: 1 });
    await age(cart.id, 3600); // every call has to go to pricing first, widening the race
    fx.deps.delayMs = 30;
    const answers = await Promise.all(Array.from({ length: 10 }, () => checkout(cart.id, auth)));
    fx.deps.delayMs = 0;
    const late = await checkout(cart.id, auth);
    for (const res of [...answers, late]) expect(res.statusCode).toBe(200);
    const ids = new Set([...answers, late].map((r) => r.json().checkoutId));
    expect(ids.size).toBe(1);
    expect(answers.filter((r) => r.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
    expect(late.headers['idempotent-replayed']).toBe('true');
    expect(late.json()).toEqual(answers[0]!.json());
    expect(await rows('SELECT id FROM checkouts WHERE cart_id = ?', [cart.id])).toHaveLength(1);
    const events = await rows(
      "SELECT id FROM outbox_events WHERE aggregateid = ? AND topic = 'cart.checkedout.v1'",
      [cart.id],
    );
    expect(events).toHaveLength(1);
  });

  it('refuses changes to a checked-out cart with 409', async () => {
    const { auth } = customer();
    const cart = await customerCart(auth);
    await add(cart.id, auth, { sku: 'APPLE-1', quantity: 1 });
    await checkout(cart.id, auth);
    const res = await add(cart.id, auth, { sku: 'PEAR-1', quantity: 1 });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('CART_NOT_OPEN');
    const next = await customerCart(auth);
    expect(next.id).not.toBe(cart.id); // a new open cart for the next purchase
  });

  it('answers 422 for an empty cart and for a guest cart, 403 for another customer, and writes nothing', async () => {
    const { auth } = customer();
    const cart = await customerCart(auth);
    const empty = await checkout(cart.id, auth);
    expect(empty.statusCode).toBe(422);
    expect(empty.json().code).toBe('CART_EMPTY');
    const guest = await guestCart();
    await add(guest.id, { 'x-cart-token': guest.cartToken }, { sku: 'APPLE-1', quantity: 1 });
    const asGuest = await checkout(guest.id, { 'x-cart-token': guest.cartToken });
    expect(asGuest.statusCode).toBe(422);
    expect(asGuest.json().code).toBe('CHECKOUT_NEEDS_CUSTOMER');
    await add(cart.id, auth, { sku: 'APPLE-1', quantity: 1 });
    const foreign = await checkout(cart.id, customer().auth);
    expect(foreign.statusCode).toBe(403);
    expect(await rows('SELECT cart_id FROM checkouts WHERE cart_id IN (?, ?)', [cart.id, guest.id])).toEqual(
      [],
    );
  });

  it('answers 503 and checks nothing out when an old cart cannot be priced again', async () => {
    const { auth } = customer();
    const cart = await customerCart(auth);
    await add(cart.id, auth, { sku: 'APPLE-1', quantity: 1 });
    await age(cart.id, 3600);
    fx.deps.failWith = 503;
    const res = await checkout(cart.id, auth);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', dependency: 'pricing' });
    const [stored] = await rows('SELECT status FROM carts WHERE id = ?', [cart.id]);
    expect(stored!.status).toBe('open');
    fx.deps.failWith = undefined;
    expect((await checkout(cart.id, auth)).statusCode).toBe(200);
  });
});

describe('POST /carts/:cartId/merge', () => {
  it("moves a guest cart into the customer's cart on login, adding up shared SKUs", async () => {
    const guest = await guestCart();
    const token = { 'x-cart-token': guest.cartToken };
    await add(guest.id, token, { sku: 'APPLE-1', quantity: 2 });
    await add(guest.id, token, { sku: 'PEAR-1', quantity: 1 });
    const { auth } = customer();
    const cart = await customerCart(auth);
    await add(cart.id, auth, { sku: 'APPLE-1', quantity: 1 });
    const merge = () =>
      fx.app.inject({
        method: 'POST',
        url: `/carts/${cart.id}/merge`,
        headers: auth,
        payload: { guestCartId: guest.id, guestCartToken: guest.cartToken },
      });
    const res = await merge();
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      itemCount: 4,
      merge: { from: guest.id, movedSkus: ['APPLE-1', 'PEAR-1'], cappedSkus: [] },
    });
    expect(res.json().lines.find((l: { sku: string }) => l.sku === 'APPLE-1')).toMatchObject({
      quantity: 3,
      needsReprice: true,
    });
    const [stored] = await rows('SELECT status, merged_into FROM carts WHERE id = ?', [guest.id]);
    expect(stored).toEqual({ status: 'merged', merged_into: cart.id });
    // Repeating the merge moves nothing twice.
    const again = await merge();
    expect(again.statusCode).toBe(200);
    expect(again.json().itemCount).toBe(4);
    // The merged line is priced again at checkout, whatever its age.
    fx.deps.prices.set('APPLE-1', 140);
    const done = await checkout(cart.id, auth);
    expect(done.json().repricedSkus).toEqual(['APPLE-1']);
    expect(done.json().priceChanges[0]).toMatchObject({ sku: 'APPLE-1', unitPriceMinor: 140 });
  });

  it('answers 403 for a wrong guest token, 409 across currencies and 422 for a customer cart as source', async () => {
    const { auth } = customer();
    const cart = await customerCart(auth);
    const guest = await guestCart();
    const wrong = await fx.app.inject({
      method: 'POST',
      url: `/carts/${cart.id}/merge`,
      headers: auth,
      payload: { guestCartId: guest.id, guestCartToken: 'guess' },
    });
    expect(wrong.statusCode).toBe(403);
    const usd = await fx.app.inject({
      method: 'POST',
      url: '/carts',
      payload: { region: 'eu-west', currency: 'USD' },
    });
    const mismatch = await fx.app.inject({
      method: 'POST',
      url: `/carts/${cart.id}/merge`,
      headers: auth,
      payload: { guestCartId: usd.json().id, guestCartToken: usd.json().cartToken },
    });
    expect(mismatch.statusCode).toBe(409);
    expect(mismatch.json().code).toBe('CURRENCY_MISMATCH');
    const [stillOpen] = await rows('SELECT status FROM carts WHERE id = ?', [usd.json().id]);
    expect(stillOpen!.status).toBe('open');
    const intoGuest = await fx.app.inject({
      method: 'POST',
      url: `/carts/${guest.id}/merge`,
      headers: { 'x-cart-token': guest.cartToken },
      payload: { guestCartId: usd.json().id, guestCartToken: usd.json().cartToken },
    });
    expect(intoGuest.statusCode).toBe(422);
    expect(intoGuest.json().code).toBe('MERGE_NEEDS_CUSTOMER_CART');
    const unknown = await fx.app.inject({
      method: 'POST',
      url: `/carts/${cart.id}/merge`,
      headers: auth,
      payload: { guestCartId: randomUUID(), guestCartToken: 'x' },
    });
    expect(unknown.statusCode).toBe(404);
  });
});
