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

async function authorize(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: '/payments/authorize',
    headers: { ...service, ...headers },
    payload: body,
  });
}

async function journalSums(paymentId: string) {
  const res = await app.inject({ method: 'GET', url: `/payments/${paymentId}/journal`, headers: service });
  expect(res.statusCode).toBe(200);
  const entries = res.json().items as { kind: string; lines: { account: string; amountMinor: number }[] }[];
  const byAccount: Record<string, number> = {};
  for (const e of entries) {
    expect(e.lines.reduce((s, l) => s + l.amountMinor, 0)).toBe(0);
    for (const l of e.lines) byAccount[l.account] = (byAccount[l.account] ?? 0) + l.amountMinor;
  }
  return { kinds: entries.map((e) => e.kind), byAccount };
}

describe('POST /payments/authorize, capture, refund', () => {
  it('authorises, captures and refunds in parts with a ledger that balances to zero', async () => {
    const created = await authorize(authorizeBody({ amountMinor: 10_000 }));
    expect(created.statusCode).toBe(201);
    const payment = created.json();
    expect(payment).toMatchObject({
      status: 'authorized',
      amountMinor: 10_000,
      currency: 'EUR',
      region: 'eu-west',
    });
    expect(payment.pspReference).toMatch(/^psp_/);

    const captured = await app.inject({
      method: 'POST',
      url: `/payments/${payment.id}/capture`,
      headers: service,
      payload: { amountMinor: 10_000 },
    });
    expect(captured.statusCode).toBe(200);
    expect(captured.json()).toMatchObject({ status: 'captured', capturedMinor: 10_000 });

    const part = await app.inject({
      method: 'POST',
      url: `/payments/${payment.id}/refund`,
      headers: service,
      payload: { amountMinor: 4_000, reason: 'customer_request' },
    });
    expect(part.statusCode).toBe(201);
    expect(part.json().payment).toMatchObject({ status: 'partially_refunded', refundedMinor: 4_000 });

    const tooMuch = await app.inject({
      method: 'POST',
      url: `/payments/${payment.id}/refund`,
      headers: service,
      payload: { amountMinor: 6_001 },
    });
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.json()).toMatchObject({ code: 'AMOUNT_EXCEEDS_REMAINING', remainingMinor: 6_000 });

    const rest = await app.inject({
      method: 'POST',
      url: `/payments/${payment.id}/refund`,
      headers: service,
    });
    expect(rest.statusCode).toBe(201);
    expect(rest.json()).toMatchObject({
      payment: { status: 'refunded', refundedMinor: 10_000 },
      refund: { amountMinor: 6_000 },
    });

    const { kinds, byAccount } = await journalSums(payment.id);
    expect(kinds).toEqual(['authorize', 'capture', 'refund', 'refund']);
    expect(byAccount).toEqual({
      authorization_holds: 0,
      customer_funds: 0,
      psp_clearing: 0,
      merchant_revenue: -10_000,
      refunds: 10_000,
    });
  });

  it('voids an authorisation and releases the hold', async () => {
    const payment = (await authorize(authorizeBody({ currency: 'USD', region: 'us-east' }))).json();
    const voided = await app.inject({
      method: 'POST',
      url: `/payments/${payment.id}/void`,
      headers: service,
    });
    expect(voided.statusCode).toBe(200);
    expect(voided.json().status).toBe('voided');
    const { byAccount } = await journalSums(payment.id);
    expect(byAccount).toEqual({ authorization_holds: 0, customer_funds: 0 });
  });

  it('answers 409 ILLEGAL_TRANSITION for capturing a voided payment and voiding a captured one', async () => {
    const voided = (await authorize(authorizeBody())).json();
    await app.inject({ method: 'POST', url: `/payments/${voided.id}/void`, headers: service });
    const capture = await app.inject({
      method: 'POST',
      url: `/payments/${voided.id}/capture`,
      headers: service,
    });
    expect(capture.statusCode).toBe(409);
    expect(capture.headers['content-type']).toContain('application/problem+json');
    expect(capture.json()).toMatchObject({ code: 'ILLEGAL_TRANSITION', paymentStatus: 'voided' });

    const captured = (await authorize(authorizeBody())).json();
    await app.inject({ method: 'POST', url: `/payments/${captured.id}/capture`, headers: service });
    const voidIt = await app.inject({
      method: 'POST',
      url: `/payments/${captured.id}/void`,
      headers: service,
    });
    expect(voidIt.statusCode).toBe(409);
    expect(voidIt.json().code).toBe('ILLEGAL_TRANSITION');
    const refundAuthorized = (await authorize(authorizeBody())).json();
    const refund = await app.inject({
      method: 'POST',
      url: `/payments/${refundAuthorized.id}/refund`,
      headers: service,
    });
    expect(refund.statusCode).toBe(409);
  });

  it('refuses to capture more than was authorised', async () => {
    const payment = (await authorize(authorizeBody({ amountMinor: 500 }))).json();
    const res = await app.inject({
      method: 'POST',
      url: `/payments/${payment.id}/capture`,
      headers: service,
      payload: { amountMinor: 501 },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('AMOUNT_EXCEEDS_AUTHORIZED');
  });

  it('answers 404 problem+json for an unknown payment', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/payments/00000000-0000-4000-8000-000000000000/capture',
      headers: service,
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('PAYMENT_NOT_FOUND');
  });
});
