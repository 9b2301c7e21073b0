// The oversell incident: a payment held past the reservation's TTL lets the expired units be sold to another
// buyer, and the held checkout's commit then sells them again. Broken mode must oversell; fixed must not.
//
// The run: a fresh SKU with S units; `held` buyers check out first with the PSP mock holding their
// authorization past a short TTL; once their reservations have expired, the other buyers check out with
// instant approval and take the freed units; then the held authorizations return and their sagas commit.
import { randomUUID } from 'node:crypto';
import { call, notReady, signToken, sleep } from '../lib/http.js';
import type { Figure, RunResult, Scenario, ScenarioContext } from '../lib/types.js';
import { meets } from '../lib/verdict.js';

const finalStatuses = new Set(['confirmed', 'fulfilled', 'cancelled', 'refunded']);
const seconds = (ms: number) => Math.round(ms / 100) / 10;

interface OrderAnswer {
  id: string;
  status: string;
  statusReason: string | null;
}

interface StockRow {
  available: number;
  reserved: number;
  sold: number;
  oversold: number;
}

interface Placed {
  buyer: number;
  held: boolean;
  orderId: string | null;
  status: string;
  reason: string | null;
  /** The answer of the last read of the order that failed (0: unreachable), so a status shown is known stale. */
  readFailed?: number;
}

export const oversell: Scenario = {
  name: 'oversell',
  description: 'payments held past the reservation TTL; broken mode oversells, fixed mode must not',
  // Each run stocks its own SKU and orders for its own carts, so runs may overlap.
  independentRuns: true,
  keyFigures: [
    'oversold_units',
    'late_buyers_confirmed',
    'orders_confirmed',
    'orders_cancelled',
    'orders_refunded',
    'orders_unsettled',
    'time_to_settle',
  ],
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
    // The stack is shared: a service being restarted by someone else is waited for (up to a minute), so one
    // restart does not fail every run that starts meanwhile. A run in flight during it still fails honestly.
    const services = { order: orderUrl, inventory: inventoryUrl, payment: paymentUrl };
    let missing = await notReady(services);
    for (const readyBy = Date.now() + 60_000; missing && Date.now() < readyBy; ) {
      await sleep(2000);
      missing = await notReady(services);
    }
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
      if (res.status !== 200) return { ...p, readFailed: res.status };
      const { readFailed: _stale, ...rest } = p;
      return { ...rest, status: res.body.status, reason: res.body.statusReason };
    };
    // Polls until every order is done, asking again only about those that are not (an order done stays done:
    // the statuses waited for are final, or past pending).
    const waitUntil = async (list: Placed[], done: (p: Placed) => boolean, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      let current = list;
      while (Date.now() < deadline) {
        current = await Promise.all(current.map((p) => (done(p) ? p : status(p))));
        if (current.every(done)) return current;
        await sleep(250);
      }
      return current;
    };
    const stockRows = async (): Promise<StockRow[] | null> => {
      const res = await call<{ items: StockRow[] }>(`${inventoryUrl}/stock/${encodeURIComponent(sku)}`, {
        token: admin,
      });
      return res.status === 200 ? res.body.items : null;
    };

    const started = Date.now();
    // Wave 1: the held buyers reserve the stock, then wait at the PSP.
    let first = await Promise.all(Array.from({ length: held }, (_, i) => place(i + 1, true)));
    first = await waitUntil(first, (p) => p.status !== 'pending', 30_000);
    log(`wave 1: ${first.filter((p) => p.status === 'reserved').length} reserved, payments held`);
    // Past the TTL, inventory's sweeper expires the held reservations and gives their units back: wave 2 goes
    // as soon as nothing is reserved any more (asked no sooner than the TTL, and at most 30 s past it), not
    // after a fixed guess, so a sweeper slowed by load cannot leave wave 2 without stock.
    await sleep(ttl * 1000 - (Date.now() - started));
    const freeBy = Date.now() + 30_000;
    for (;;) {
      const rows = await stockRows();
      if (rows && rows.reduce((n, r) => n + r.reserved, 0) === 0) break;
      if (Date.now() >= freeBy) {
        log('held reservations still not expired 30 s past their TTL; wave 2 goes anyway');
        break;
      }
      await sleep(200);
    }
    const wave2At = seconds(Date.now() - started);
    // Wave 2: everyone else, paying at once.
    const second = await Promise.all(
      Array.from({ length: buyers - held }, (_, i) => place(held + i + 1, false)),
    );
    log(`wave 2: ${second.length} buyers placed at ${wave2At} s; waiting for every saga to settle`);
    const settled = await waitUntil(
      [...first, ...second],
      (p) => !p.orderId || finalStatuses.has(p.status),
      (hold + 90) * 1000,
    );
    const settleSeconds = seconds(Date.now() - started);
    const unsettled = settled.filter((p) => p.orderId && !finalStatuses.has(p.status)).length;

    // The figures hang on this read: a passing hiccup of inventory-service is retried, not taken as the end.
    let stockItems = await stockRows();
    for (let attempt = 1; !stockItems && attempt <= 10; attempt++) {
      await sleep(1000);
      stockItems = await stockRows();
    }
    if (!stockItems) throw new Error(`reading stock of ${sku} failed (11 attempts)`);
    const sold = stockItems.reduce((s, i) => s + i.sold, 0);
    const oversold = stockItems.reduce((s, i) => s + i.oversold, 0);
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
      {
        // The incident's race took place: wave 2 bought the units the expired reservations gave back while
        // the held payments were still out. In broken mode the oversell shows it; in fixed mode a run without
        // it proves nothing (the held orders would simply re-reserve), so it is expected there. It fails
        // when wave 2's sagas start only after the held payments are back, e.g. when the order-service saga
        // runner has no free slot for them (too many overlapping runs, see --concurrency).
        name: 'late_buyers_confirmed',
        value: settled.filter((p) => !p.held && p.status === 'confirmed').length,
        ...(mode === 'fixed' ? { expect: { op: '>', value: 0 } as const } : {}),
      },
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
    // A run that failed keeps every order's saga (phase, steps, attempts, ids), to say what went wrong where.
    let sagas: Record<string, unknown> | undefined;
    if (figures.some((f) => meets(f) === false)) {
      sagas = {};
      for (const p of settled) {
        if (!p.orderId) continue;
        const res = await call(`${orderUrl}/orders/${p.orderId}/saga`, { token: service });
        sagas[p.orderId] = res.status === 200 ? res.body : { status: res.status, body: res.body };
      }
      const unsettledIds = settled.filter((p) => p.orderId && !finalStatuses.has(p.status));
      for (const p of unsettledIds) {
        const saga = sagas[p.orderId!] as { phase?: string; currentStep?: string | null } | undefined;
        log(
          `unsettled: order ${p.orderId} (buyer ${p.buyer}${p.held ? ', held' : ''}) is ${p.status}` +
            (p.readFailed !== undefined ? ` as last read (the read after it answered ${p.readFailed})` : '') +
            `; saga now ${saga?.phase ?? 'unknown'} at ${saga?.currentStep ?? '-'}`,
        );
      }
    }
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
        stock: stockItems,
        ...(sagas ? { sagas } : {}),
      },
    };
  },
};
