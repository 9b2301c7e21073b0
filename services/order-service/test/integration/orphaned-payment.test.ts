import { waitFor } from '@shop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkoutStackReady,
  expectMoneySettled,
  journalOf,
  paymentsOf,
  placeOrder,
  stockOf,
  stockSku,
  waitAllFinal,
} from '../checkout-stack.js';
import { type App, buildTestApp } from '../helper.js';

// A checkout whose payment the PSP approves only after its reservation expired and the unit went to another
// buyer: the order cannot be fulfilled, so the authorization it left behind must be given back within a
// minute (not when the authorization lapses, days later). Through the running stack, as in production.
const available = await checkoutStackReady();
const MINUTE_MS = 60_000;

describe.skipIf(!available)('orphaned paid checkouts', () => {
  let app: App;

  beforeAll(async () => {
    app = await buildTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('an authorization for an order cancelled after its reservation expired is voided within a minute', async () => {
    const sku = await stockSku(app, 1, 'ORPHAN');
    const late = await placeOrder(app, {
      sku,
      ttlSeconds: 2,
      psp: { behaviour: 'hold', holdSeconds: 10 },
    });
    // The late buyer's reservation takes the unit, then expires while the PSP still holds the payment.
    await waitFor(async () => (await stockOf(app, sku)).reserved === 1, 20_000, 100);
    await waitFor(
      async () => {
        const s = await stockOf(app, sku);
        return s.reserved === 0 && s.available === 1;
      },
      20_000,
      100,
    );
    expect((await paymentsOf(app, late.id)).map((p) => p.status)).toEqual(['pending']);
    // Another buyer pays at once and gets the unit.
    const prompt = await placeOrder(app, { sku });
    const [winner] = await waitAllFinal(app, [prompt.id], 30_000);
    expect(winner?.status).toBe('confirmed');

    // The held payment is approved; the commit finds the reservation expired and no unit to re-reserve.
    const [orphan] = await waitAllFinal(app, [late.id], 90_000);
    expect(orphan).toMatchObject({ status: 'cancelled', reason: 'reservation_expired' });
    const saga = await app.sagas.get(late.id);
    expect(saga?.state.reReservations).toBe(1);

    // The money: authorized once, voided (never captured), within a minute of the PSP's approval.
    const [payment] = await paymentsOf(app, late.id);
    expect(payment?.status).toBe('voided');
    const journal = await journalOf(app, payment!.id);
    expect(journal.map((e) => e.kind)).toEqual(['authorize', 'void']);
    const [authorized, voided] = journal.map((e) => Date.parse(e.createdAt));
    expect(voided! - authorized!).toBeGreaterThanOrEqual(0);
    expect(voided! - authorized!).toBeLessThan(MINUTE_MS);
    await expectMoneySettled(app, orphan!);
    await expectMoneySettled(app, winner!);

    // One unit, sold once, to the buyer who has the order.
    expect(await stockOf(app, sku)).toEqual({ received: 1, available: 0, reserved: 0, sold: 1, oversold: 0 });
  }, 150_000);
});
