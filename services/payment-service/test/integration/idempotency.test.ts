import { randomUUID } from 'node:crypto';
import { waitFor } from '@shop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, authorizeBody, bearer, buildTestApp } from '../helper.js';

let app: App;
let service: { authorization: string };

beforeAll(async () => {
  app = await buildTestApp();
  service = { authorization: bearer(app, 'order-service', ['service']) };
});
afterAll(async () => {
  await app?.close();
});

function authorize(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: '/payments/authorize',
    headers: { ...service, ...headers },
    payload: body,
  });
}

async function livePayments(orderId: string): Promise<number> {
  const { rows } = await app.pg.query(`SELECT count(*)::int AS n FROM payments WHERE order_id = $1`, [
    orderId,
  ]);
  return rows[0]!.n;
}

describe('POST /payments/authorize is idempotent', () => {
  it('charges once when the same Idempotency-Key arrives concurrently', async () => {
    const key = randomUUID();
    const body = authorizeBody({ psp: { behaviour: 'latency', ms: 1500 } });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => authorize(body, { 'idempotency-key': key })),
    );
    const created = results.filter((r) => r.statusCode === 201);
    // Every answer names the one payment; a caller that overlapped the first was told to retry instead.
    expect(new Set(created.map((r) => r.json().id)).size).toBe(1);
    expect(created.filter((r) => r.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
    for (const r of results.filter((r) => r.statusCode !== 201)) {
      expect(r.statusCode).toBe(409);
      expect(r.json().code).toBe('IDEMPOTENCY_KEY_IN_USE');
    }
    expect(await livePayments(body.orderId)).toBe(1);
    const replay = await authorize(body, { 'idempotency-key': key });
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json().id).toBe(created[0]!.json().id);
  });

  it('charges once for one order even when concurrent callers use different keys', async () => {
    const body = authorizeBody({ psp: { behaviour: 'latency', ms: 1500 } });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => authorize(body, { 'idempotency-key': randomUUID() })),
    );
    const created = results.filter((r) => r.statusCode === 201);
    expect(created).toHaveLength(1);
    const id = created[0]!.json().id;
    // Overlapping callers are told to retry; one arriving after the first settled gets the same payment.
    for (const r of results.filter((r) => r.statusCode !== 201)) {
      if (r.statusCode === 200) expect(r.json().id).toBe(id);
      else expect(r.json().code).toBe('PAYMENT_IN_PROGRESS');
    }
    expect(await livePayments(body.orderId)).toBe(1);
    // Once settled, a repeat for the order answers the same payment without charging again.
    const again = await authorize(body);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(created[0]!.json().id);
    const journal = await app.pg.query(
      `SELECT count(*)::int AS n FROM journal_entries WHERE payment_id = $1 AND kind = 'authorize'`,
      [again.json().id],
    );
    expect(journal.rows[0]!.n).toBe(1);
  });

  it('answers 409 PAYMENT_KEY_CONFLICT for another amount on an order that already has a payment', async () => {
    const body = authorizeBody();
    expect((await authorize(body)).statusCode).toBe(201);
    const res = await authorize({ ...body, amountMinor: body.amountMinor + 1 });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('PAYMENT_KEY_CONFLICT');
  });

  it('replays a capture with the same Idempotency-Key and refuses a second capture without one', async () => {
    const payment = (await authorize(authorizeBody())).json();
    const key = { ...service, 'idempotency-key': randomUUID() };
    const first = await app.inject({ method: 'POST', url: `/payments/${payment.id}/capture`, headers: key });
    const again = await app.inject({ method: 'POST', url: `/payments/${payment.id}/capture`, headers: key });
    expect(first.statusCode).toBe(200);
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const unkeyed = await app.inject({
      method: 'POST',
      url: `/payments/${payment.id}/capture`,
      headers: service,
    });
    expect(unkeyed.statusCode).toBe(409);
    expect(unkeyed.json().code).toBe('ILLEGAL_TRANSITION');
  });

  it('settles concurrent refunds without refunding more than was captured', async () => {
    const payment = (await authorize(authorizeBody({ amountMinor: 1000 }))).json();
    await app.inject({ method: 'POST', url: `/payments/${payment.id}/capture`, headers: service });
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        app.inject({
          method: 'POST',
          url: `/payments/${payment.id}/refund`,
          headers: service,
          payload: { amountMinor: 400 },
        }),
      ),
    );
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(2);
    expect(results.filter((r) => r.statusCode === 422)).toHaveLength(2);
    const after = await app.inject({ method: 'GET', url: `/payments/${payment.id}`, headers: service });
    expect(after.json()).toMatchObject({ status: 'partially_refunded', refundedMinor: 800 });
  });

  it('does not remember PAYMENT_IN_PROGRESS: the same key answers the settled payment afterwards', async () => {
    const body = authorizeBody({ psp: { behaviour: 'hold', holdSeconds: 4 } });
    const first = authorize(body, { 'idempotency-key': randomUUID() });
    await waitFor(async () => (await livePayments(body.orderId)) === 1, 5_000, 50);
    const key = { 'idempotency-key': randomUUID() };
    const during = await authorize(body, key);
    expect(during.statusCode).toBe(409);
    expect(during.json().code).toBe('PAYMENT_IN_PROGRESS');
    const settled = await first;
    expect(settled.statusCode).toBe(201);
    const after = await authorize(body, key);
    expect(after.statusCode).toBe(200);
    expect(after.headers['idempotent-replayed']).toBeUndefined();
    expect(after.json().id).toBe(settled.json().id);
  });

  it('fails a pending payment abandoned by a crashed process and lets the order be paid', async () => {
    const body = authorizeBody();
    const { rows } = await app.pg.query(
      `INSERT INTO payments (order_id, customer_id, region, currency, amount_minor, status, created_at, updated_at)
       VALUES ($1, $2, 'eu-west', 'EUR', $3, 'pending', now() - interval '1 hour', now() - interval '1 hour')
       RETURNING id`,
      [body.orderId, body.customerId, body.amountMinor],
    );
    const abandoned = String(rows[0]!.id);
    const res = await authorize(body);
    expect(res.statusCode).toBe(201);
    expect(res.json().id).not.toBe(abandoned);
    const old = await app.pg.query('SELECT status, failure_reason FROM payments WHERE id = $1', [abandoned]);
    expect(old.rows[0]).toEqual({ status: 'failed', failure_reason: 'psp_timeout' });
    const events = await app.pg.query('SELECT topic FROM outbox_events WHERE aggregateid = $1', [abandoned]);
    expect(events.rows.map((r) => r.topic)).toEqual(['payment.failed.v1']);
  });
});
