import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkoutStackReady,
  expectMoneySettled,
  ledgerImbalance,
  placeOrder,
  stockOf,
  stockSku,
  waitAllFinal,
} from '../checkout-stack.js';
import { type App, buildTestApp } from '../helper.js';

// Many buyers race for a few units through the whole running stack: the stack's order-service takes the
// orders and its saga runner drives them against the real inventory- and payment-service. Skipped when
// those services do not answer (a stack that runs only the stores).
const available = await checkoutStackReady();

const BUYERS = 200;
const UNITS = 10;
const PRICE = 1250;

describe.skipIf(!available)('concurrent checkouts in fixed mode', () => {
  let app: App;

  beforeAll(async () => {
    app = await buildTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it(`${BUYERS} concurrent buyers for ${UNITS} units: at most ${UNITS} confirmed, stock conserved exactly, ledger balanced`, async () => {
    const sku = await stockSku(app, UNITS, 'RACE');
    const placed = await Promise.all(
      Array.from({ length: BUYERS }, () => placeOrder(app, { sku, unitPriceMinor: PRICE })),
    );
    expect(new Set(placed.map((p) => p.id)).size).toBe(BUYERS);

    const final = await waitAllFinal(
      app,
      placed.map((p) => p.id),
      150_000,
    );
    const confirmed = final.filter((o) => o.status === 'confirmed');
    const cancelled = final.filter((o) => o.status === 'cancelled');
    // Nobody paid and was then refunded: a buyer who could not get a unit was never charged.
    expect(final.filter((o) => o.status === 'refunded')).toEqual([]);
    expect(confirmed.length + cancelled.length).toBe(BUYERS);
    expect(confirmed.length).toBeLessThanOrEqual(UNITS);
    // Every unit was there to be had and nothing held it at the end, so losing buyers lost to real stock-outs.
    expect(confirmed.length).toBeGreaterThan(0);
    for (const o of cancelled) expect(o.reason).toBe('out_of_stock');

    // Inventory: exactly the confirmed orders' units left, nothing still held, nothing sold twice.
    const stock = await stockOf(app, sku);
    expect(stock).toEqual({
      received: UNITS,
      available: UNITS - confirmed.length,
      reserved: 0,
      sold: confirmed.length,
      oversold: 0,
    });
    expect(stock.available + stock.reserved + stock.sold).toBe(UNITS);
    expect(confirmed.length).toBe(UNITS); // no reservation was lost on the way: all 10 sold

    // Money: each confirmed order captured once for its total; each cancelled one kept nothing.
    const checks = [];
    for (let i = 0; i < final.length; i += 20)
      checks.push(...(await Promise.all(final.slice(i, i + 20).map((o) => expectMoneySettled(app, o)))));
    const captured = checks
      .flatMap((c) => c.payments)
      .reduce((s, p) => s + p.capturedMinor - p.refundedMinor, 0);
    expect(captured).toBe(confirmed.length * PRICE);
    // The whole ledger (every payment, these and any other) nets to zero per currency.
    const imbalance = await ledgerImbalance(app);
    expect(imbalance.length).toBeGreaterThan(0);
    for (const minor of imbalance) expect(minor).toBe(0);
  }, 180_000);
});
