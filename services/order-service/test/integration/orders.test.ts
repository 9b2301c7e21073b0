import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, bearer, buildTestApp } from '../helper.js';

let app: App;

beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(async () => {
  await app?.close();
});

function newOrder(cartId = `cart-${randomUUID()}`) {
  return {
    cartId,
    region: 'eu-west' as const,
    currency: 'EUR',
    lines: [
      { sku: 'SKU-ORD-1', quantity: 2, unitPriceMinor: 1250 },
      { sku: 'SKU-ORD-2', quantity: 1, unitPriceMinor: 999 },
    ],
  };
}

async function post(customer: string, body: unknown, key?: string) {
  return app.inject({
    method: 'POST',
    url: '/orders',
    headers: {
      authorization: bearer(app, customer, ['customer']),
      ...(key ? { 'idempotency-key': key } : {}),
    },
    payload: body as Record<string, unknown>,
  });
}

async function outboxTopics(orderId: string): Promise<string[]> {
  const [rows] = await app.mysql.query('SELECT topic FROM outbox_events WHERE aggregateid = ? ORDER BY seq', [
    orderId,
  ]);
  return (rows as { topic: string }[]).map((r) => r.topic);
}

describe('POST /orders', () => {
  it('creates a pending order with totals in minor units, its saga and order.created.v1 in one go', async () => {
    const customer = randomUUID();
    const res = await post(customer, newOrder());
    expect(res.statusCode).toBe(201);
    const order = res.json();
    expect(order).toMatchObject({ customerId: customer, status: 'pending', region: 'eu-west' });
    expect(order.subtotalMinor).toBe(3499);
    expect(order.totalMinor).toBe(3499);
    expect(order.lines[0]).toMatchObject({ sku: 'SKU-ORD-1', lineTotalMinor: 2500 });
    expect(await outboxTopics(order.id)).toEqual(['order.created.v1']);
    // A running order-service may already be driving the saga, so only its existence and region are fixed.
    const [sagas] = await app.mysql.query('SELECT mode, region FROM checkout_sagas WHERE order_id = ?', [
      order.id,
    ]);
    expect(sagas).toEqual([{ mode: 'fixed', region: 'eu-west' }]);
  });

  it('makes one order when the same cart is checked out twice concurrently', async () => {
    const customer = randomUUID();
    const body = newOrder();
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(customer, body)));
    const statuses = answers.map((a) => a.statusCode).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 201]);
    const ids = new Set(answers.map((a) => a.json().id));
    expect(ids.size).toBe(1);
    const [rows] = await app.mysql.query('SELECT COUNT(*) AS n FROM orders WHERE cart_id = ?', [body.cartId]);
    expect((rows as { n: number }[])[0]?.n).toBe(1);
    expect(await outboxTopics([...ids][0]!)).toEqual(['order.created.v1']);
  });

  it('answers 409 when the cart already became an order on other terms', async () => {
    const customer = randomUUID();
    const body = newOrder();
    expect((await post(customer, body)).statusCode).toBe(201);
    const res = await post(customer, {
      ...body,
      lines: [{ sku: 'SKU-ORD-1', quantity: 9, unitPriceMinor: 1 }],
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('CART_ALREADY_ORDERED');
  });

  it('replays the first answer for a repeated Idempotency-Key', async () => {
    const customer = randomUUID();
    const key = randomUUID();
    const body = newOrder();
    const first = await post(customer, body, key);
    const again = await post(customer, body, key);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
  });

  it('answers 422 for a repeated Idempotency-Key with another body', async () => {
    const customer = randomUUID();
    const key = randomUUID();
    expect((await post(customer, newOrder(), key)).statusCode).toBe(201);
    const res = await post(customer, newOrder(), key);
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('answers 400 problem+json naming the bad field', async () => {
    const res = await post(randomUUID(), {
      ...newOrder(),
      lines: [{ sku: 'A', quantity: 0, unitPriceMinor: 1 }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(JSON.stringify(res.json())).toContain('quantity');
  });

  it('answers 422 for the same SKU on two lines and writes nothing', async () => {
    const body = newOrder();
    const res = await post(randomUUID(), {
      ...body,
      lines: [body.lines[0], body.lines[0]],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('DUPLICATE_SKU');
    const [rows] = await app.mysql.query('SELECT COUNT(*) AS n FROM orders WHERE cart_id = ?', [body.cartId]);
    expect((rows as { n: number }[])[0]?.n).toBe(0);
  });

  it("answers 403 when a customer orders for someone else or asks for a scenario's saga mode", async () => {
    const other = await post(randomUUID(), { ...newOrder(), customerId: randomUUID() });
    expect(other.statusCode).toBe(403);
    const mode = await post(randomUUID(), { ...newOrder(), sagaMode: 'broken' });
    expect(mode.statusCode).toBe(403);
  });

  it('answers 401 without a token', async () => {
    const res = await app.inject({ method: 'POST', url: '/orders', payload: newOrder() });
    expect(res.statusCode).toBe(401);
  });
});

describe('GET /orders', () => {
  it("answers 403 for another customer's order and 404 for none", async () => {
    const owner = randomUUID();
    const order = (await post(owner, newOrder())).json();
    const foreign = await app.inject({
      method: 'GET',
      url: `/orders/${order.id}`,
      headers: { authorization: bearer(app, randomUUID(), ['customer']) },
    });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().code).toBe('FORBIDDEN');
    const mine = await app.inject({
      method: 'GET',
      url: `/orders/${order.id}`,
      headers: { authorization: bearer(app, owner, ['customer']) },
    });
    expect(mine.statusCode).toBe(200);
    const none = await app.inject({
      method: 'GET',
      url: `/orders/${randomUUID()}`,
      headers: { authorization: bearer(app, owner, ['customer']) },
    });
    expect(none.statusCode).toBe(404);
  });

  it("pages through a customer's own orders only, newest first", async () => {
    const owner = randomUUID();
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await post(owner, newOrder())).json().id);
    await post(randomUUID(), newOrder()); // someone else's
    const auth = { authorization: bearer(app, owner, ['customer']) };
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: Awaited<ReturnType<App['inject']>> = await app.inject({
        method: 'GET',
        url: `/orders?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        headers: auth,
      });
      expect(res.statusCode).toBe(200);
      const page: { items: { id: string }[]; nextCursor: string | null } = res.json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((o: { id: string }) => o.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...created].reverse());
    const spy = await app.inject({ method: 'GET', url: `/orders?customerId=${randomUUID()}`, headers: auth });
    expect(spy.statusCode).toBe(403);
  });
});

describe('POST /orders/:orderId/transitions', () => {
  it('moves along legal transitions with order.status.changed.v1 and refuses illegal ones with 409', async () => {
    // Without a saga: a running order-service's saga runner must not move this order meanwhile.
    const { order } = await app.orders.create({
      ...newOrder(),
      customerId: randomUUID(),
      checkoutId: `checkout-${randomUUID()}`,
    });
    const service = { authorization: bearer(app, 'ops', ['service']) };
    const move = (to: string) =>
      app.inject({
        method: 'POST',
        url: `/orders/${order.id}/transitions`,
        headers: service,
        payload: { to },
      });
    const illegal = await move('confirmed');
    expect(illegal.statusCode).toBe(409);
    expect(illegal.headers['content-type']).toContain('application/problem+json');
    expect(illegal.json().code).toBe('ILLEGAL_TRANSITION');
    expect((await move('reserved')).json().status).toBe('reserved');
    expect((await move('cancelled')).json().status).toBe('cancelled');
    expect((await move('reserved')).statusCode).toBe(409);
    expect(await outboxTopics(order.id)).toEqual([
      'order.created.v1',
      'order.status.changed.v1',
      'order.status.changed.v1',
    ]);
  });

  it('answers 403 to a customer', async () => {
    const owner = randomUUID();
    const order = (await post(owner, newOrder())).json();
    const res = await app.inject({
      method: 'POST',
      url: `/orders/${order.id}/transitions`,
      headers: { authorization: bearer(app, owner, ['customer']) },
      payload: { to: 'cancelled' },
    });
    expect(res.statusCode).toBe(403);
  });
});
