import { randomUUID } from 'node:crypto';
import { mysqlTransaction, parseConfig } from '@shop/common';
import { stackEnv, waitFor } from '@shop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config.js';
import { startSaga } from '../../src/domain/checkout-saga.js';
import type { Order } from '../../src/domain/order.js';
import { createSagaClients } from '../../src/saga/clients.js';
import type { SagaRunner } from '../../src/saga/saga-runner.js';
import { createStepExecutor } from '../../src/saga/step-executor.js';
import { createRunner } from '../../src/workers.js';
import { type App, bearer, buildTestApp } from '../helper.js';

// The saga end to end against the real inventory-service and payment-service. Without them (a stack that
// runs only the stores), these tests are skipped rather than failed.
const config = parseConfig(configSchema, stackEnv());

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/ready`, { signal: AbortSignal.timeout(3000) })).ok;
  } catch {
    return false;
  }
}

const available = (await answers(config.ORDER_INVENTORY_URL)) && (await answers(config.ORDER_PAYMENT_URL));

describe.skipIf(!available)('checkout saga against inventory and payment', () => {
  let app: App;
  let runner: SagaRunner;

  beforeAll(async () => {
    app = await buildTestApp();
    runner = createRunner(app, config, true);
  });
  afterAll(async () => {
    await runner?.stop();
    await app?.close();
  });

  async function stockSku(units: number): Promise<string> {
    const sku = `SAGA-${randomUUID().slice(0, 8)}`.toUpperCase();
    const res = await fetch(`${config.ORDER_INVENTORY_URL}/stock/adjustments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: bearer(app, 'order-tests', ['admin']) },
      body: JSON.stringify({
        sku,
        warehouseId: 'WH-SAGA',
        region: 'eu-west',
        delta: units,
        reason: 'received',
      }),
    });
    expect(res.status).toBe(200);
    return sku;
  }

  async function stockOf(sku: string): Promise<{ available: number; reserved: number; sold: number }> {
    const res = await fetch(`${config.ORDER_INVENTORY_URL}/stock/${sku}`, {
      headers: { authorization: bearer(app, 'order-tests', ['admin']) },
    });
    const body = (await res.json()) as { items: { available: number; reserved: number; sold: number }[] };
    return body.items[0]!;
  }

  async function place(sku: string, psp: Record<string, unknown> = { behaviour: 'approve' }) {
    const res = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: { authorization: bearer(app, 'order-tests', ['service']) },
      payload: {
        cartId: `cart-${randomUUID()}`,
        customerId: randomUUID(),
        region: 'eu-west',
        currency: 'EUR',
        lines: [{ sku, quantity: 2, unitPriceMinor: 1500 }],
        sagaMode: 'fixed',
        psp,
      },
    });
    expect(res.statusCode).toBe(201);
    return res.json() as { id: string; totalMinor: number };
  }

  // Resolves once the order's saga has finished; waitFor throws on timeout, so the result is always an order.
  const settled = async (id: string): Promise<Order> =>
    (await waitFor(
      async () => {
        const order = await app.orders.get(id);
        return order && ['confirmed', 'cancelled', 'refunded'].includes(order.status) ? order : undefined;
      },
      40_000,
      200,
    ))!;

  it('reserves, authorizes, commits, captures and confirms, with an event per status change', async () => {
    const sku = await stockSku(5);
    const placed = await place(sku);
    const order = await settled(placed.id);
    expect(order.status).toBe('confirmed');
    expect(await stockOf(sku)).toMatchObject({ available: 3, reserved: 0, sold: 2 });
    const saga = await app.sagas.get(placed.id);
    expect(saga?.phase).toBe('completed');
    expect(saga?.state.steps.capture.status).toBe('done');
    const payment = await fetch(`${config.ORDER_PAYMENT_URL}/payments/${saga?.state.paymentId}`, {
      headers: { authorization: bearer(app, 'order-tests', ['service']) },
    });
    expect(await payment.json()).toMatchObject({ status: 'captured', capturedMinor: 3000 });
    const [rows] = await app.mysql.query(
      'SELECT topic FROM outbox_events WHERE aggregateid = ? ORDER BY seq',
      [placed.id],
    );
    expect((rows as { topic: string }[]).map((r) => r.topic)).toEqual([
      'order.created.v1',
      'order.status.changed.v1',
      'order.status.changed.v1',
      'order.status.changed.v1',
    ]);
  });

  it('a declined payment releases the reservation and cancels the order', async () => {
    const sku = await stockSku(5);
    const placed = await place(sku, { behaviour: 'decline' });
    const order = await settled(placed.id);
    expect(order).toMatchObject({ status: 'cancelled', statusReason: 'payment_declined' });
    expect(await stockOf(sku)).toMatchObject({ available: 5, reserved: 0, sold: 0 });
  });

  it('resumes a saga whose runner died holding it, once the lease runs out', async () => {
    const sku = await stockSku(5);
    // The order and a dead runner's lease commit together, so no live runner can take the saga first.
    const orderId = await mysqlTransaction(app.mysql, async (conn) => {
      const { order } = await app.orders.createIn(conn, {
        cartId: `cart-${randomUUID()}`,
        checkoutId: `checkout-${randomUUID()}`,
        customerId: randomUUID(),
        region: 'eu-west',
        currency: 'EUR',
        lines: [{ sku, quantity: 1, unitPriceMinor: 700 }],
        saga: { mode: 'fixed', ttlSeconds: 60, psp: null },
      });
      await conn.query(
        `UPDATE checkout_sagas SET lease_owner = ?, lease_until = NOW(6) + INTERVAL 5 SECOND WHERE order_id = ?`,
        [randomUUID(), order.id],
      );
      return order.id;
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect((await app.orders.get(orderId))?.status).toBe('pending');
    const order = await settled(orderId);
    expect(order.status).toBe('confirmed');
    expect((await stockOf(sku)).sold).toBe(1);
  });
});

describe.skipIf(!available)('saga compensation against payment', () => {
  let app: App;

  beforeAll(async () => {
    app = await buildTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('voids an authorization whose answer came after the step gave up, once the PSP lets go of it', async () => {
    // No saga row: the executor is driven by hand, so a running order-service cannot take part.
    const { order } = await app.orders.create({
      cartId: `cart-${randomUUID()}`,
      checkoutId: `checkout-${randomUUID()}`,
      customerId: randomUUID(),
      region: 'eu-west',
      currency: 'EUR',
      lines: [{ sku: 'ORPHAN-1', quantity: 1, unitPriceMinor: 4200 }],
    });
    const executor = createStepExecutor(
      createSagaClients({
        inventoryUrl: config.ORDER_INVENTORY_URL,
        paymentUrl: config.ORDER_PAYMENT_URL,
        timeoutMs: 1000,
        sign: (claims) => app.jwt.sign(claims),
      }),
      { authorizeTimeoutMs: 500 },
    );
    let state = startSaga({
      mode: 'fixed',
      ttlSeconds: 60,
      lines: [{ sku: 'ORPHAN-1', quantity: 1 }],
      newId: randomUUID,
      psp: { behaviour: 'hold', holdSeconds: 3 },
    });
    const authorize = await executor.step('authorize', order, state);
    expect(authorize.kind).toBe('retry');
    state = { ...state, reason: 'authorize_timeout' };
    // While the PSP holds the authorization, the void waits for it instead of declaring nothing to undo.
    expect((await executor.compensate('void', order, state)).kind).toBe('retry');
    const voided = await waitFor(
      async () => (await executor.compensate('void', order, state)).kind === 'done',
      20_000,
      500,
    );
    expect(voided).toBe(true);
    const list = await fetch(`${config.ORDER_PAYMENT_URL}/payments?orderId=${order.id}`, {
      headers: { authorization: bearer(app, 'order-tests', ['service']) },
    });
    const { items } = (await list.json()) as { items: { status: string }[] };
    expect(items.map((p) => p.status)).toEqual(['voided']);
  });
});
