import { randomUUID } from 'node:crypto';
import { waitFor } from '@shop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, authorizeBody, bearer, buildTestApp } from '../helper.js';

let app: App;
let service: { authorization: string };
let admin: { authorization: string };

beforeAll(async () => {
  app = await buildTestApp();
  service = { authorization: bearer(app, 'order-service', ['service']) };
  admin = { authorization: bearer(app, 'ops', ['admin']) };
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

async function paymentsOf(orderId: string) {
  const res = await app.inject({ method: 'GET', url: '/payments', query: { orderId }, headers: service });
  expect(res.statusCode).toBe(200);
  return res.json().items as { id: string; status: string; failureReason: string | null }[];
}

async function outboxTopics(paymentId: string): Promise<string[]> {
  const { rows } = await app.pg.query('SELECT topic FROM outbox_events WHERE aggregateid = $1 ORDER BY seq', [
    paymentId,
  ]);
  return rows.map((r) => String(r.topic));
}

describe('mock PSP behaviours', () => {
  it('answers 402 PAYMENT_DECLINED, keeps the attempt as failed and announces payment.failed', async () => {
    const body = authorizeBody({ psp: { behaviour: 'decline', declineReason: 'insufficient_funds' } });
    const res = await authorize(body);
    expect(res.statusCode).toBe(402);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const problem = res.json();
    expect(problem).toMatchObject({ code: 'PAYMENT_DECLINED', reason: 'insufficient_funds' });
    const [attempt] = await paymentsOf(body.orderId);
    expect(attempt).toMatchObject({
      id: problem.paymentId,
      status: 'failed',
      failureReason: 'insufficient_funds',
    });
    expect(await outboxTopics(problem.paymentId)).toEqual(['payment.failed.v1']);
    const journal = await app.pg.query(
      'SELECT count(*)::int AS n FROM journal_entries WHERE payment_id = $1',
      [problem.paymentId],
    );
    expect(journal.rows[0]!.n).toBe(0);

    // A declined attempt does not block the order: another card may pay it.
    const retry = await authorize({ ...body, psp: { behaviour: 'approve' } });
    expect(retry.statusCode).toBe(201);
    expect(retry.json().id).not.toBe(problem.paymentId);
  });

  it('answers 503 PSP_UNAVAILABLE on a PSP failure and leaves nothing behind; the same key may retry', async () => {
    const key = randomUUID();
    const body = authorizeBody({ psp: { behaviour: 'fail' } });
    const res = await authorize(body, { 'idempotency-key': key });
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('PSP_UNAVAILABLE');
    expect(await paymentsOf(body.orderId)).toEqual([]);

    // Steering the PSP globally instead of per request: the retry, without `psp`, follows the global setting.
    const put = await app.inject({
      method: 'PUT',
      url: '/admin/psp',
      headers: admin,
      payload: { behaviour: 'approve' },
    });
    expect(put.statusCode).toBe(200);
    const { psp: _psp, ...plain } = body;
    const retry = await authorize(plain, { 'idempotency-key': `${key}-2` });
    expect(retry.statusCode).toBe(201);
    expect(await paymentsOf(body.orderId)).toHaveLength(1);
  });

  it('holds an authorisation for holdSeconds before approving; the order waits in pending meanwhile', async () => {
    const body = authorizeBody({ psp: { behaviour: 'hold', holdSeconds: 4 } });
    const started = Date.now();
    const pending = authorize(body);
    await waitFor(async () => (await paymentsOf(body.orderId)).some((p) => p.status === 'pending'), 3000, 50);
    // A second authorisation for the order while the PSP holds the first is refused, not charged twice.
    const second = await authorize({ ...body, psp: { behaviour: 'approve' } });
    expect(second.statusCode).toBe(409);
    expect(second.json().code).toBe('PAYMENT_IN_PROGRESS');
    const res = await pending;
    expect(res.statusCode).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4000);
    expect(res.json().status).toBe('authorized');
  });

  it('adds latency when asked', async () => {
    const started = Date.now();
    const res = await authorize(authorizeBody({ psp: { behaviour: 'latency', ms: 300 } }));
    expect(res.statusCode).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('sets and reads the global behaviour through /admin/psp', async () => {
    try {
      const put = await app.inject({
        method: 'PUT',
        url: '/admin/psp',
        headers: admin,
        payload: { behaviour: 'decline', declineReason: 'fraud_suspected' },
      });
      expect(put.statusCode).toBe(200);
      const get = await app.inject({ method: 'GET', url: '/admin/psp', headers: service });
      expect(get.json()).toEqual({ behaviour: 'decline', declineReason: 'fraud_suspected' });
      const res = await authorize(authorizeBody());
      expect(res.statusCode).toBe(402);
      expect(res.json().reason).toBe('fraud_suspected');
    } finally {
      await app.inject({
        method: 'PUT',
        url: '/admin/psp',
        headers: admin,
        payload: { behaviour: 'approve' },
      });
    }
  });

  it('lets only service and admin callers steer the PSP', async () => {
    const body = authorizeBody({ psp: { behaviour: 'approve' } });
    const customer = { authorization: bearer(app, body.customerId, ['customer']) };
    const res = await authorize(body, customer);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('PSP_OVERRIDE_FORBIDDEN');
    const put = await app.inject({
      method: 'PUT',
      url: '/admin/psp',
      headers: customer,
      payload: { behaviour: 'fail' },
    });
    expect(put.statusCode).toBe(403);
    const { psp: _psp, ...plain } = body;
    const own = await authorize(plain, customer);
    expect(own.statusCode).toBe(201);
    const other = await authorize(authorizeBody(), customer);
    expect(other.statusCode).toBe(403);
  });
});
