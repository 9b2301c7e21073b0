// The oversell incident: a payment held past the reservation's TTL lets the expired units be sold to another
// buyer, and the held checkout's commit then sells them again. Broken mode must oversell; fixed must not.
//
// The run: a fresh SKU with S units; `held` buyers check out first with the PSP mock holding their
// authorization past a short TTL; once their reservations have expired, the other buyers check out with
// instant approval and take the freed units; then the held authorizations return and their sagas commit.
import { randomUUID } from 'node:crypto';
import { call, notReady, signToken, sleep } from '../lib/http.js';
import type { Figure, RunResult, Scenario, ScenarioContext } from '../lib/types.js';

const finalStatuses = new Set(['confirmed', 'fulfilled', 'cancelled', 'refunded']);

interface OrderAnswer {
  id: string;
  status: string;
  statusReason: string | null;
}

interface Placed {
  buyer: number;
  held: boolean;
  orderId: string | null;
  status: string;
  reason: string | null;
}

export const oversell: Scenario = {
  name: 'oversell',
  description: 'payments held past the reservation TTL; broken mode oversells, fixed mode must not',
  options: [
    { name: 'buyers', description: 'concurrent buyers (K)', kind: 'int', default: 12, min: 2, max: 200 },
    { name: 'stock', description: 'units of the SKU (S)', kind: 'int', default: 4, min: 1, max: 1000 },
    {
      name: 'held',
      description: 'buyers whose payment the PSP holds past the TTL (default: the stock)',
      kind: 'int',
      default: 0,
      min: 0,
      max: 200,
    },
    { name: 'ttl', description: 'reservation TTL in seconds', kind: 'int', default: 3, min: 1, max: 60 },
    {
      name: 'hold',
      description: 'seconds the PSP holds an authorization (default: TTL + 5)',
      kind: 'int',
      default: 0,
      min: 0,
      max: 300,
    },
    { name: 'region', description: 'region of the SKU and the orders', kind: 'string', default: 'eu-west' },
  ],

  async run(ctx: ScenarioContext): Promise<RunResult> {
    const { env, mode, log } = ctx;
    const buyers = ctx.options.buyers as number;
    const stock = ctx.options.stock as number;
    const ttl = ctx.options.ttl as number;
    const hold = (ctx.options.hold as number) || ttl + 5;
    const held = Math.min(buyers, (ctx.options.held as number) || stock);
    const region = ctx.options.region as string;
    if (hold <= ttl) throw new Error(`--hold (${hold}) must exceed --ttl (${ttl}) for the incident to occur`);
    const orderUrl = `http://127.0.0.1:${env.ORDER_PORT ?? '3005'}`;
    const inventoryUrl = `http://127.0.0.1:${env.INVENTORY_PORT ?? '3007'}`;
    const paymentUrl = `http://127.0.0.1:${env.PAYMENT_PORT ?? '3006'}`;
    const missing = await notReady({ order: orderUrl, inventory: inventoryUrl, payment: paymentUrl });
    if (missing) throw new Error(`not ready: ${missing.join(', ')} (pnpm stack up)`);

    const admin = signToken(env, 'scenario-oversell', ['admin']);
    const service = signToken(env, 'scenario-oversell', ['service']);
    // A fresh SKU per run: earlier runs' stock and reservations never blur the figures.
    const runId = `${Date.now().toString(36)}-${Math.floor(ctx.random() * 1e6).toString(36)}`;
    const sku = `OVERSELL-${mode}-${runId}`.toUpperCase();
    const stocked = await call(`${inventoryUrl}/stock/adjustments`, {
      method: 'POST',
      token: admin,
      headers: { 'idempotency-key': `scenario-${sku}` },
      body: { sku, warehouseId: `WH-${region}`, region, delta: stock, reason: 'received' },
    });
    if (stocked.status !== 200)
      throw new Error(`stocking ${sku} answered ${stocked.status}: ${JSON.stringify(stocked.body)}`);
    log(
      `${sku}: ${stock} units in ${region}; TTL ${ttl} s, ${held} payments held ${hold} s, ${buyers} buyers`,
    );

    const place = async (buyer: number, isHeld: boolean): Promise<Placed> => {
      const res = await call<OrderAnswer>(`${orderUrl}/orders`, {
        method: 'POST',
        token: service,
        headers: { 'idempotency-key': `scenario-${sku}-${buyer}` },
        body: {
          cartId: `${sku}-cart-${buyer}`,
          customerId: `scenario-buyer-${buyer}`,
          region,
          currency: region === 'us-east' ? 'USD' : region === 'ap-south' ? 'INR' : 'EUR',
          lines: [{ sku, quantity: 1, unitPriceMinor: 1999 }],
          sagaMode: mode,
          reservationTtlSeconds: ttl,
          psp: isHeld ? { behaviour: 'hold', holdSeconds: hold } : { behaviour: 'approve' },
        },
      });
      if (res.status !== 201 && res.status !== 200) {
        log(`buyer ${buyer}: order refused ${res.status} ${JSON.stringify(res.body)}`);
        return { buyer, held: isHeld, orderId: null, status: 'refused', reason: String(res.status) };
      }
      return { buyer, held: isHeld, orderId: res.body.id, status: res.body.status, reason: null };
    };
    const status = async (p: Placed): Promise<Placed> => {
      if (!p.orderId) return p;
      const res = await call<OrderAnswer>(`${orderUrl}/orders/${p.orderId}`, { token: service });
      return res.status === 200 ? { ...p, status: res.body.status, reason: res.body.statusReason } : p;
    };
    const waitUntil = async (list: Placed[], done: (p: Placed) => boolean, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      let current = list;
      while (Date.now() < deadline) {
        current = await Promise.all(current.map(status));
        if (current.every(done)) return current;
        await sleep(250);
      }
      return current;
    };

    const started = Date.now();
    // Wave 1: the held buyers reserve the stock, then wait at the PSP.
    let first = await Promise.all(Array.from({ length: held }, (_, i) => place(i + 1, true)));
    first = await waitUntil(first, (p) => p.status !== 'pending', 30_000);
    const reservedAt = Date.now();
    log(`wave 1: ${first.filter((p) => p.status === 'reserved').length} reserved, payments held`);
    // Past the TTL (plus a sweep), the held reservations have expired and their units are available again.
    await sleep(ttl * 1000 + 2000 - (Date.now() - reservedAt));
    // Wave 2: everyone else, paying at once.
    const second = await Promise.all(
      Array.from({ length: buyers - held }, (_, i) => place(held + i + 1, false)),
    );
    log(`wave 2: ${second.length} buyers placed; waiting for every saga to settle`);
    const settled = await waitUntil(
      [...first, ...second],
      (p) => !p.orderId || finalStatuses.has(p.status),
      (hold + 90) * 1000,
    );
    const settleSeconds = Math.round((Date.now() - started) / 100) / 10;
    const unsettled = settled.filter((p) => p.orderId && !finalStatuses.has(p.status)).length;

    const stockRes = await call<{ items: { sold: number; oversold: number; available: number }[] }>(
      `${inventoryUrl}/stock/${encodeURIComponent(sku)}`,
      { token: admin },
    );
    if (stockRes.status !== 200) throw new Error(`reading stock of ${sku} answered ${stockRes.status}`);
    const sold = stockRes.body.items.reduce((s, i) => s + i.sold, 0);
    const oversold = stockRes.body.items.reduce((s, i) => s + i.oversold, 0);
    const by = (s: string) => settled.filter((p) => p.status === s).length;
    // Money given back: every payment of every order, as payment-service's ledger-backed records have it.
    const payments = (
      await Promise.all(
        settled
          .filter((p) => p.orderId)
          .map(async (p) => {
            const res = await call<{ items: { status: string }[] }>(
              `${paymentUrl}/payments?orderId=${p.orderId}`,
              { token: service },
            );
            return res.status === 200 ? res.body.items : [];
          }),
      )
    ).flat();
    const paymentsIn = (...statuses: string[]) => payments.filter((p) => statuses.includes(p.status)).length;
    const figures: Figure[] = [
      { name: 'stock_units', value: stock },
      { name: 'units_sold', value: sold },
      {
        // Units sold beyond what was ever received: the incident's measure, from the stock row's own totals.
        name: 'oversold_units',
        value: Math.max(0, sold - stock),
        expect: mode === 'broken' ? { op: '>', value: 0 } : { op: '=', value: 0 },
      },
      // inventory-service's own `oversold` counter, reported beside it as a cross-check.
      { name: 'inventory_oversold_counter', value: oversold },
      { name: 'orders_confirmed', value: by('confirmed') },
      { name: 'orders_cancelled', value: by('cancelled') },
      { name: 'orders_refunded', value: by('refunded') },
      { name: 'payments_captured', value: paymentsIn('captured') },
      { name: 'payments_voided', value: paymentsIn('voided') },
      { name: 'payments_refunded', value: paymentsIn('refunded', 'partially_refunded') },
      {
        name: 'payments_left_authorized',
        value: paymentsIn('authorized', 'pending'),
        expect: { op: '=', value: 0 },
      },
      {
        name: 'held_orders_cancelled_reservation_expired',
        value: settled.filter((p) => p.held && p.reason === 'reservation_expired').length,
      },
      { name: 'orders_unsettled', value: unsettled, expect: { op: '=', value: 0 } },
      { name: 'time_to_settle', value: settleSeconds, unit: 's' },
    ];
    return {
      mode,
      figures,
      details: {
        sku,
        runId: randomUUID(),
        ttlSeconds: ttl,
        holdSeconds: hold,
        held,
        buyers,
        orders: settled,
        stock: stockRes.body.items,
      },
    };
  },
};
