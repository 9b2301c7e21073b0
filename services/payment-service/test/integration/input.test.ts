import { randomUUID } from 'node:crypto';
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

function authorize(payload: unknown, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: '/payments/authorize',
    headers: { ...service, 'content-type': 'application/json', ...headers },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
}

describe('bad input', () => {
  it.each([
    ['a missing amount', { amountMinor: undefined }, 'body.amountMinor'],
    ['a fractional amount', { amountMinor: 10.5 }, 'body.amountMinor'],
    ['a negative amount', { amountMinor: -1 }, 'body.amountMinor'],
    ['a lower-case currency', { currency: 'eur' }, 'body.currency'],
    ['an unknown region', { region: 'mars' }, 'body.region'],
    ['an unknown field', { tip: 5 }, 'body.tip'],
    ['an unknown PSP behaviour', { psp: { behaviour: 'explode' } }, 'body.psp.behaviour'],
  ])('answers 400 problem+json naming the field for %s', async (_name, overrides, field) => {
    const res = await authorize(authorizeBody(overrides));
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const problem = res.json();
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('answers 400 for malformed JSON and for a card number failing its checksum', async () => {
    const malformed = await authorize('{"orderId": ');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().code).toBe('MALFORMED_BODY');
    const card = { number: '4111111111111112', expMonth: 12, expYear: 2099, cvc: '123' };
    const res = await authorize(authorizeBody({ card }));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'INVALID_CARD', field: 'body.card.number' });
  });

  it('answers 400 for a payment id that is not a UUID, 401 without a token', async () => {
    const res = await app.inject({ method: 'POST', url: '/payments/not-a-uuid/capture', headers: service });
    expect(res.statusCode).toBe(400);
    const anonymous = await app.inject({
      method: 'POST',
      url: '/payments/authorize',
      payload: authorizeBody(),
    });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('card data', () => {
  it('keeps only a token, the last four digits and the brand; the number is nowhere in the database', async () => {
    const number = '4111111111111111';
    const res = await authorize(
      authorizeBody({ card: { number, expMonth: 12, expYear: 2099, cvc: '737' } }),
      {
        'idempotency-key': randomUUID(),
      },
    );
    expect(res.statusCode).toBe(201);
    const payment = res.json();
    expect(payment.card).toEqual({ token: expect.stringMatching(/^tok_/), last4: '1111', brand: 'visa' });
    expect(res.body).not.toContain(number);

    // Every row of every table, as text, and the raw outbox payloads.
    const { rows: tables } = await app.pg.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    for (const { table_name } of tables) {
      const { rows } = await app.pg.query(
        `SELECT count(*)::int AS n FROM "${table_name}" t WHERE t::text LIKE '%' || $1 || '%'`,
        [number],
      );
      expect(rows[0]!.n, table_name).toBe(0);
    }
    const { rows: events } = await app.pg.query('SELECT payload FROM outbox_events WHERE aggregateid = $1', [
      payment.id,
    ]);
    expect(events).toHaveLength(1);
    expect((events[0]!.payload as Buffer).includes(number)).toBe(false);
  });
});

describe('ledger', () => {
  it('refuses at COMMIT a journal entry that does not sum to zero', async () => {
    const payment = (await authorize(authorizeBody())).json();
    const client = await app.pg.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query(
        `INSERT INTO journal_entries (payment_id, kind, currency, region) VALUES ($1, 'capture', 'EUR', 'eu-west') RETURNING id`,
        [payment.id],
      );
      const account = await client.query(
        `SELECT id FROM accounts WHERE code = 'psp_clearing' AND currency = 'EUR' AND region = 'eu-west'`,
      );
      const accountId =
        account.rows[0]?.id ??
        (
          await client.query(
            `INSERT INTO accounts (code, currency, region) VALUES ('psp_clearing', 'EUR', 'eu-west') RETURNING id`,
          )
        ).rows[0]!.id;
      await client.query(
        `INSERT INTO journal_lines (entry_id, account_id, region, amount_minor) VALUES ($1, $2, 'eu-west', 100)`,
        [rows[0]!.id, accountId],
      );
      await expect(client.query('COMMIT')).rejects.toMatchObject({ code: '23514' });
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  });

  it('reports a zero imbalance per currency in /metrics and /admin/ledger/balances', async () => {
    await authorize(authorizeBody({ currency: 'INR', region: 'ap-south' }));
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/payment_ledger_imbalance_minor\{[^}]*currency="INR"[^}]*\} 0$/m);
    expect(metrics.body).toMatch(/payment_operations_total\{[^}]*outcome="authorized"[^}]*\} [1-9]/);
    const admin = { authorization: bearer(app, 'ops', ['admin']) };
    const balances = await app.inject({ method: 'GET', url: '/admin/ledger/balances', headers: admin });
    expect(balances.statusCode).toBe(200);
    for (const row of balances.json().imbalance) expect(row.imbalanceMinor).toBe(0);
  });
});
