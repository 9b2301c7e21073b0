import { randomUUID } from 'node:crypto';
import { waitFor } from '@shop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, bearer, buildTestApp, uniqueSku } from '../helper.js';

let app: App;
let admin: string;
let service: string;

beforeAll(async () => {
  app = await buildTestApp();
  admin = bearer(app, 'ops', ['admin']);
  service = bearer(app, 'order-service', ['service']);
});
afterAll(() => app.close());

async function stock(sku: string, delta: number, region = 'eu-west', warehouseId = `wh-${region}`) {
  const res = await app.inject({
    method: 'POST',
    url: '/stock/adjustments',
    headers: { authorization: admin },
    payload: { sku, warehouseId, region, delta, reason: 'received' },
  });
  expect(res.statusCode).toBe(200);
  return res.json();
}

async function reserve(body: Record<string, unknown>) {
  return app.inject({
    method: 'POST',
    url: '/reservations',
    headers: { authorization: service },
    payload: body,
  });
}

async function rows(sku: string) {
  const res = await app.inject({ method: 'GET', url: `/stock/${sku}`, headers: { authorization: admin } });
  return res.json().items as {
    available: number;
    reserved: number;
    sold: number;
    oversold: number;
    received: number;
  }[];
}

describe('POST /reservations', () => {
  it('reserves, answers the same reservation for a retried checkout, and shows in availability', async () => {
    const sku = uniqueSku();
    await stock(sku, 5);
    const orderId = randomUUID();
    const first = await reserve({ orderId, sku, region: 'eu-west', quantity: 2 });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ sku, region: 'eu-west', quantity: 2, status: 'reserved' });
    const again = await reserve({ orderId, sku, region: 'eu-west', quantity: 2 });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    const availability = await app.inject({ method: 'GET', url: `/availability/${sku}` });
    expect(availability.json()).toMatchObject({
      sku,
      globalAvailable: 3,
      regions: [{ region: 'eu-west', onHand: 5, reserved: 2, available: 3 }],
    });
  });

  it('answers 404 for an unknown SKU, 400 naming the field for a bad quantity, 409 beyond what is available', async () => {
    const unknown = await reserve({ orderId: 'o1', sku: uniqueSku('none'), region: 'eu-west', quantity: 1 });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('SKU_NOT_FOUND');
    for (const quantity of [0, -1, 1_000_000]) {
      const bad = await reserve({ orderId: 'o1', sku: 'x', region: 'eu-west', quantity });
      expect(bad.statusCode).toBe(400);
      expect(bad.headers['content-type']).toContain('application/problem+json');
      expect(bad.json().errors[0].field).toBe('body.quantity');
    }
    const sku = uniqueSku();
    await stock(sku, 1);
    const tooMany = await reserve({ orderId: randomUUID(), sku, region: 'eu-west', quantity: 2 });
    expect(tooMany.statusCode).toBe(409);
    expect(tooMany.json().code).toBe('INSUFFICIENT_STOCK');
  });

  it('never reserves more than is available under 50 concurrent reservations, and conserves stock', async () => {
    const sku = uniqueSku('race');
    await stock(sku, 10);
    // As a caller would: a 503 (too contended) is retried with the same order, which is idempotent.
    const attempt = async (orderId: string) => {
      for (let i = 0; ; i++) {
        const res = await reserve({ orderId, sku, region: 'eu-west', quantity: 1 });
        if (res.statusCode !== 503 || i === 5) return res;
      }
    };
    const results = await Promise.all(Array.from({ length: 50 }, () => attempt(randomUUID())));
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 201)).toHaveLength(10);
    expect(codes.filter((c) => c === 409)).toHaveLength(40);
    for (const r of results.filter((x) => x.statusCode === 409))
      expect(r.json().code).toBe('INSUFFICIENT_STOCK');
    const [row] = await rows(sku);
    expect(row).toMatchObject({ available: 0, reserved: 10, sold: 0, received: 10 });
  });
});

describe('reservation expiry', () => {
  it('returns the units exactly once when the TTL passes, however often it is looked at', async () => {
    const sku = uniqueSku('ttl');
    await stock(sku, 3);
    const r = (
      await reserve({ orderId: randomUUID(), sku, region: 'eu-west', quantity: 2, ttlSeconds: 2 })
    ).json();
    expect((await rows(sku))[0]).toMatchObject({ available: 1, reserved: 2 });
    await waitFor(() => Date.now() > Date.parse(r.expiresAt) + 100, 10_000);
    // Sweeper passes and lazy reads race; the status LWT lets exactly one of them give the units back.
    const [sweeps, ...reads] = await Promise.all([
      app.inventory.sweep(),
      ...Array.from({ length: 5 }, () =>
        app.inject({ method: 'GET', url: `/reservations/${r.id}`, headers: { authorization: service } }),
      ),
    ]);
    expect(sweeps.expired).toBeLessThanOrEqual(1);
    for (const read of reads) expect(read.json().status).toBe('expired');
    await app.inventory.sweep();
    expect((await rows(sku))[0]).toMatchObject({ available: 3, reserved: 0, sold: 0, received: 3 });
  });
});

/** inventory_oversold_units_total for eu-west in this app (the tests' region). */
async function oversoldMetric(): Promise<number> {
  const res = await app.inject({ method: 'GET', url: '/metrics' });
  const line = res.body
    .split('\n')
    .find((l) => /^inventory_oversold_units_total\{[^}]*region="eu-west"/.test(l));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

function commit(id: string, check: 'true' | 'false') {
  return app.inject({
    method: 'POST',
    url: `/reservations/${id}/commit?check=${check}`,
    headers: { authorization: service },
  });
}

/** A reservation whose TTL passed and whose units the sweeper gave back, then taken by another order. */
async function expiredAndRetaken(sku: string, ttlSeconds = 900) {
  await stock(sku, 1);
  const late = (
    await reserve({ orderId: randomUUID(), sku, region: 'eu-west', quantity: 1, ttlSeconds: 2 })
  ).json();
  await waitFor(() => Date.now() > Date.parse(late.expiresAt) + 100, 10_000);
  // The stack's own inventory-service sweeps too: whichever sweeper takes the expiry, wait until the unit is back.
  await waitFor(async () => {
    await app.inventory.sweep();
    return (await rows(sku))[0]?.available === 1;
  }, 15_000);
  const other = await reserve({ orderId: randomUUID(), sku, region: 'eu-west', quantity: 1, ttlSeconds });
  expect(other.statusCode).toBe(201);
  return { late: late as { id: string }, other: other.json() as { id: string; expiresAt: string } };
}

describe('POST /reservations/:reservationId/commit', () => {
  it('sells the units of a live reservation, and a second commit answers the same', async () => {
    const sku = uniqueSku('commit');
    await stock(sku, 2, 'us-east');
    const r = (await reserve({ orderId: randomUUID(), sku, region: 'us-east', quantity: 2 })).json();
    const first = await commit(r.id, 'true');
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ status: 'committed', oversoldUnits: 0, afterExpiry: false });
    expect((await commit(r.id, 'true')).json().status).toBe('committed');
    expect((await rows(sku))[0]).toMatchObject({
      available: 0,
      reserved: 0,
      sold: 2,
      received: 2,
      oversold: 0,
    });
  });

  it('answers 409 RESERVATION_EXPIRED in fixed mode and sells nothing', async () => {
    const sku = uniqueSku('fixed');
    const { late } = await expiredAndRetaken(sku);
    const res = await commit(late.id, 'true');
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('RESERVATION_EXPIRED');
    expect((await rows(sku))[0]).toMatchObject({
      available: 0,
      reserved: 1,
      sold: 0,
      oversold: 0,
      received: 1,
    });
  });

  it('oversells in broken mode: sold beyond stock, available negative, counted in the metric', async () => {
    const sku = uniqueSku('broken');
    const { late, other } = await expiredAndRetaken(sku);
    const res = await commit(late.id, 'false');
    expect(res.statusCode).toBe(200);
    // The one unit is still held by the other order, which may yet let it go: not sold twice yet.
    expect(res.json()).toMatchObject({ status: 'committed', afterExpiry: true, oversoldUnits: 0 });
    expect((await rows(sku))[0]).toMatchObject({
      available: -1,
      reserved: 1,
      sold: 1,
      oversold: 0,
      received: 1,
    });
    const before = await oversoldMetric();
    // The other order buys the unit it holds: now two units are sold of the one received.
    const second = await commit(other.id, 'true');
    expect(second.json()).toMatchObject({ status: 'committed', oversoldUnits: 1 });
    const [row] = await rows(sku);
    expect(row).toMatchObject({ available: -1, reserved: 0, sold: 2, oversold: 1, received: 1 });
    expect(row!.oversold).toBe(row!.sold - row!.received);
    // Conserved even when oversold: received = available + reserved + sold.
    expect(row!.available + row!.reserved + row!.sold).toBe(row!.received);
    expect((await oversoldMetric()) - before).toBe(1);
  });

  it('counts each oversold unit once when a retaken reservation expires before its broken commit', async () => {
    const sku = uniqueSku('broken2');
    const { late, other } = await expiredAndRetaken(sku, 2);
    const before = await oversoldMetric();
    const first = await commit(late.id, 'false');
    expect(first.json()).toMatchObject({ status: 'committed', afterExpiry: true });
    // The other order's reservation expires too and hands its unit back to a row already below zero.
    await waitFor(() => Date.now() > Date.parse(other.expiresAt) + 100, 10_000);
    await waitFor(async () => {
      await app.inventory.sweep();
      return (await rows(sku))[0]?.reserved === 0;
    }, 15_000);
    expect((await rows(sku))[0]).toMatchObject({ available: 0, reserved: 0, sold: 1, received: 1 });
    const second = await commit(other.id, 'false');
    expect(second.json()).toMatchObject({ status: 'committed', afterExpiry: true });
    const [row] = await rows(sku);
    expect(row).toMatchObject({ available: -1, reserved: 0, sold: 2, received: 1 });
    // Exactly sold − received: one unit, reported once across both answers and the metric.
    expect(row!.oversold).toBe(row!.sold - row!.received);
    expect(row!.oversold).toBe(1);
    expect(first.json().oversoldUnits + second.json().oversoldUnits).toBe(1);
    expect((await oversoldMetric()) - before).toBe(1);
  });

  it('releases without a body, gives the units back once, and answers a repeat unchanged', async () => {
    const sku = uniqueSku('rel0');
    await stock(sku, 2);
    const r = (await reserve({ orderId: randomUUID(), sku, region: 'eu-west', quantity: 2 })).json();
    const release = () =>
      app.inject({
        method: 'POST',
        url: `/reservations/${r.id}/release`,
        headers: { authorization: service },
      });
    const [a, b] = await Promise.all([release(), release()]);
    for (const res of [a, b])
      expect(res.json()).toMatchObject({ status: 'released', releaseReason: 'unknown' });
    expect((await rows(sku))[0]).toMatchObject({ available: 2, reserved: 0, sold: 0, received: 2 });
  });

  it('answers 404 for an unknown reservation and 409 for a released one', async () => {
    expect((await commit(randomUUID(), 'true')).statusCode).toBe(404);
    const sku = uniqueSku('rel');
    await stock(sku, 1);
    const r = (await reserve({ orderId: randomUUID(), sku, region: 'eu-west', quantity: 1 })).json();
    const released = await app.inject({
      method: 'POST',
      url: `/reservations/${r.id}/release`,
      headers: { authorization: service },
      payload: { reason: 'payment_failed' },
    });
    expect(released.json()).toMatchObject({ status: 'released', releaseReason: 'payment_failed' });
    const res = await commit(r.id, 'true');
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('RESERVATION_NOT_ACTIVE');
    expect((await rows(sku))[0]).toMatchObject({ available: 1, reserved: 0, sold: 0 });
  });
});
