import type { RowDataPacket } from 'mysql2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkoutStackReady,
  expectMoneySettled,
  type OrderOutcome,
  outcomes,
  type Placed,
  paymentsOf,
  placeOrder,
  restoreStackServices,
  sigkillStackService,
  stackPid,
  startStackService,
  stockOf,
  stockSku,
  waitAllFinal,
} from '../checkout-stack.js';
import { type App, buildTestApp } from '../helper.js';

// Crashes in the middle of a checkout, against the running stack: a service of the stack is killed with
// SIGKILL (no shutdown hook runs, nothing is handed back) while a saga is under way, then started again with
// `pnpm stack up`. The saga must still end — confirmed, or cancelled with its authorization voided — with
// the customer charged at most once and every unit accounted for. Whatever a test kills is running again
// afterwards (afterAll), as other users share the stack.
const available = (await checkoutStackReady()) && stackPid('order-service') !== undefined;
const services = ['order-service', 'inventory-service', 'payment-service'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!available)('a service killed with SIGKILL mid-saga', () => {
  let app: App;

  beforeAll(async () => {
    app = await buildTestApp();
  });
  afterAll(async () => {
    await restoreStackServices(services);
    await app?.close();
  });

  interface SagaRow {
    step: string | null;
    leaseOwner: string | null;
    leaseUntil: string | null;
    commitAttempts: number;
  }

  async function sagaRow(orderId: string): Promise<SagaRow> {
    const [rows] = await app.mysql.query<RowDataPacket[]>(
      `SELECT current_step, lease_owner, CAST(lease_until AS CHAR) AS lease_until, state
         FROM checkout_sagas WHERE order_id = ?`,
      [orderId],
    );
    const row = rows[0];
    if (!row) throw new Error(`no saga for ${orderId}`);
    return {
      step: row.current_step,
      leaseOwner: row.lease_owner,
      leaseUntil: row.lease_until,
      commitAttempts: JSON.parse(row.state).steps.commit.attempts,
    };
  }

  /** Resolves once the order's saga has reserved and waits in authorize while the PSP holds the payment. */
  async function heldAtPsp(orderId: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const saga = await sagaRow(orderId);
      if (saga.step === 'authorize' && (await paymentsOf(app, orderId)).some((p) => p.status === 'pending'))
        return;
      if (Date.now() > deadline)
        throw new Error(`order ${orderId} never waited at the PSP (at ${saga.step})`);
      await sleep(100);
    }
  }

  /** Stock and money after the crash: each order ended, was charged at most once, and units are conserved. */
  async function expectSettled(
    sku: string,
    units: number,
    final: OrderOutcome[],
    perOrder = 1,
  ): Promise<void> {
    const confirmed = final.filter((o) => o.status === 'confirmed').length * perOrder;
    for (const order of final) {
      expect(['confirmed', 'cancelled']).toContain(order.status);
      const { payments, journal } = await expectMoneySettled(app, order);
      // One live payment per order, captured at most once: the retried authorize found the first one.
      expect(payments.length).toBeLessThanOrEqual(1);
      expect(journal.filter((e) => e.kind === 'capture').length).toBeLessThanOrEqual(1);
      expect(journal.filter((e) => e.kind === 'authorize').length).toBeLessThanOrEqual(1);
    }
    expect(await stockOf(app, sku)).toEqual({
      received: units,
      available: units - confirmed,
      reserved: 0,
      sold: confirmed,
      oversold: 0,
    });
  }

  it('order-service killed while the PSP holds the authorization: a restarted runner finishes the saga', async () => {
    const units = 5;
    const sku = await stockSku(app, units, 'CRASH-ORDER');
    const placed: Placed[] = await Promise.all(
      Array.from({ length: 3 }, () => placeOrder(app, { sku, psp: { behaviour: 'hold', holdSeconds: 10 } })),
    );
    await Promise.all(placed.map((p) => heldAtPsp(p.id)));
    const before = await Promise.all(placed.map((p) => sagaRow(p.id)));
    const killed = await sigkillStackService('order-service');
    const killedAt = Date.now();

    const restart = startStackService('order-service');
    // A live holder renews its lease every third of its length (5 s on the stack); past that, a lease that
    // has not moved belongs to the runner that was killed. At least one saga must be such an orphan, or the
    // crash never touched a saga (another runner had them all) and the test proves nothing.
    await sleep(Math.max(0, killedAt + 6500 - Date.now()));
    const during = await Promise.all(placed.map((p) => sagaRow(p.id)));
    const orphaned = placed.filter(
      (_, i) => before[i]?.leaseOwner && during[i]?.leaseUntil === before[i]?.leaseUntil,
    );
    expect(orphaned.length, 'sagas held by the killed runner').toBeGreaterThan(0);
    // Nobody moved them on meanwhile: reserved, the authorization still open.
    for (const o of await outcomes(
      app,
      orphaned.map((p) => p.id),
    ))
      expect(o.status).toBe('reserved');
    await restart;
    expect(stackPid('order-service')).not.toBe(killed);

    const final = await waitAllFinal(
      app,
      placed.map((p) => p.id),
      90_000,
    );
    await expectSettled(sku, units, final);
    // The PSP approved every hold, so every resumed saga goes on to confirm rather than compensate.
    expect(final.map((o) => o.status)).toEqual(['confirmed', 'confirmed', 'confirmed']);
  }, 150_000);

  it('inventory-service killed mid-saga: the saga commits once it is back, or compensates; never half-done', async () => {
    const units = 4;
    const sku = await stockSku(app, units, 'CRASH-INV');
    const order = await placeOrder(app, { sku, quantity: 2, psp: { behaviour: 'hold', holdSeconds: 4 } });
    await heldAtPsp(order.id);
    // The units are reserved; inventory dies while the payment is held, so the commit meets the outage.
    expect(await stockOf(app, sku)).toMatchObject({ reserved: 2, available: 2 });
    await sigkillStackService('inventory-service');
    const met = await (async () => {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const saga = await sagaRow(order.id);
        if (saga.commitAttempts > 0) return saga;
        await sleep(100);
      }
      throw new Error('the saga never tried to commit while inventory was down');
    })();
    expect(met.step).toBe('commit');
    expect((await outcomes(app, [order.id]))[0]?.status).toBe('paid');
    await startStackService('inventory-service');

    const final = await waitAllFinal(app, [order.id], 90_000);
    await expectSettled(sku, units, final, 2);
  }, 150_000);

  it('payment-service killed while its PSP holds the authorization: the saga still ends, charged at most once', async () => {
    const units = 3;
    const sku = await stockSku(app, units, 'CRASH-PAY');
    // Held past the kill: the hold lived in the killed process's memory, so nobody will ever answer it.
    const order = await placeOrder(app, { sku, psp: { behaviour: 'hold', holdSeconds: 30 } });
    await heldAtPsp(order.id);
    await sigkillStackService('payment-service');
    await sleep(1000);
    await startStackService('payment-service');
    // The restarted service fails the abandoned attempt (retryable) and releases its Idempotency-Key: the
    // saga's next authorize goes through, or the step's deadline passes and the saga compensates (voiding
    // whatever the retry authorized). Either way it ends, with the abandoned payment failed.
    const final = await waitAllFinal(app, [order.id], 120_000);
    await expectSettledAfterPaymentCrash(sku, units, final);
  }, 180_000);

  /** As expectSettled, but the abandoned attempt leaves one failed payment beside at most one live one. */
  async function expectSettledAfterPaymentCrash(sku: string, units: number, final: OrderOutcome[]) {
    const order = final[0]!;
    expect(['confirmed', 'cancelled']).toContain(order.status);
    const payments = await paymentsOf(app, order.id);
    expect(payments.filter((p) => p.status === 'pending')).toEqual([]);
    expect(payments.some((p) => p.status === 'failed')).toBe(true);
    expect(payments.filter((p) => p.status === 'captured').length).toBeLessThanOrEqual(1);
    if (order.status === 'cancelled') expect(payments.filter((p) => p.status === 'captured')).toEqual([]);
    const sold = order.status === 'confirmed' ? 1 : 0;
    expect(await stockOf(app, sku)).toEqual({
      received: units,
      available: units - sold,
      reserved: 0,
      sold,
      oversold: 0,
    });
  }
});
