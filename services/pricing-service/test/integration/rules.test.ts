// Rules over HTTP against a real PostgreSQL database of this file's own, encoded against the real schema
// registry: every change that alters what applies leaves exactly one `pricing.rule.changed.v1` row in the
// outbox, written in the transaction of the change; a refused change leaves neither rule nor event.
import { randomUUID } from 'node:crypto';
import { createRegistry, decodeEvent } from '@shop/contracts';
import { closedPort, stackEnv } from '@shop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type App,
  bearer,
  buildTestApp,
  createTestDatabase,
  fieldsOf,
  type TestDatabase,
  uniqueSku,
} from '../helper.js';

const registry = createRegistry(stackEnv().SCHEMA_REGISTRY_URL!);
let db: TestDatabase;
let app: App;
let admin: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await buildTestApp({ PRICING_DATABASE_URL: db.url });
  admin = bearer(app, 'admin-1', ['admin']);
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

function rule(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Summer shoes',
    region: 'eu-west',
    type: 'percent_off',
    percentOffBp: 1500,
    match: { sku: uniqueSku('SHOE') },
    ...overrides,
  };
}

async function create(body: Record<string, unknown>) {
  return app.inject({ method: 'POST', url: '/rules', headers: admin, payload: body });
}

async function patch(id: string, body: Record<string, unknown>) {
  return app.inject({ method: 'PATCH', url: `/rules/${id}`, headers: admin, payload: body });
}

/** The outbox rows of one rule, decoded through the registry, in write order. */
async function events(ruleId: string) {
  const { rows } = await db.pool.query(
    'SELECT id, topic, aggregatetype, aggregateid, region, payload, occurred_at FROM outbox_events WHERE aggregateid = $1 ORDER BY seq',
    [ruleId],
  );
  return Promise.all(
    rows.map(async (row) => ({
      row,
      event: await decodeEvent(registry, row.payload as Buffer, 'pricing.rule.changed.v1'),
    })),
  );
}

describe('POST /rules', () => {
  it('creates a rule and publishes `created` through the outbox, Avro-encoded against the registry', async () => {
    const body = rule({
      priority: 5,
      minQuantity: 2,
      validFrom: '2025-06-01T00:00:00Z',
      validTo: '2025-09-01T00:00:00+02:00',
    });
    const res = await create(body);
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({
      region: 'eu-west',
      enabled: true,
      priority: 5,
      type: 'percent_off',
      percentOffBp: 1500,
      amountMinor: null,
      currency: null,
      minQuantity: 2,
      validFrom: '2025-06-01T00:00:00.000Z',
      validTo: '2025-08-31T22:00:00.000Z',
      version: 1,
    });
    const [only, ...more] = await events(created.id);
    expect(more).toEqual([]);
    expect(only!.row).toMatchObject({
      topic: 'pricing.rule.changed.v1',
      aggregatetype: 'price-rule',
      aggregateid: created.id,
      region: 'eu-west',
    });
    expect((only!.row.payload as Buffer)[0]).toBe(0); // the registry's wire format: magic byte, schema id
    expect(only!.event).toEqual({
      event_id: only!.row.id,
      occurred_at: Date.parse(created.updatedAt),
      aggregate_id: created.id,
      region: 'eu-west',
      rule_id: created.id,
      change: 'created',
      rule_type: 'percent_off',
      sku: (body.match as { sku: string }).sku,
      category: null,
      currency: 'XXX',
      amount_minor: null,
      percent_off_bp: 1500,
      min_quantity: 2,
      priority: 5,
      valid_from: Date.parse('2025-06-01T00:00:00Z'),
      valid_until: Date.parse('2025-08-31T22:00:00Z'),
      revision: 1,
    });
  });

  it('answers 400 INVALID_TIME_WINDOW naming validTo for an inverted window, and writes nothing', async () => {
    const sku = uniqueSku('INV');
    const res = await create(
      rule({ match: { sku }, validFrom: '2025-07-01T00:00:00Z', validTo: '2025-06-01T00:00:00Z' }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'INVALID_TIME_WINDOW', field: 'body.validTo' });
    const { rows } = await db.pool.query('SELECT id FROM price_rules WHERE match_sku = $1', [sku]);
    expect(rows).toEqual([]);
  });

  it('answers 400 RULE_WINDOW_OVERLAP for the same target and priority in an overlapping window, and writes nothing', async () => {
    const sku = uniqueSku('OVL');
    const june = await create(
      rule({ match: { sku }, validFrom: '2025-06-01T00:00:00Z', validTo: '2025-07-01T00:00:00Z' }),
    );
    expect(june.statusCode).toBe(201);
    const outboxBefore = (await db.pool.query('SELECT count(*)::int AS n FROM outbox_events')).rows[0].n;
    const overlapping = await create(
      rule({ match: { sku }, percentOffBp: 2000, validFrom: '2025-06-20T00:00:00Z', validTo: null }),
    );
    expect(overlapping.statusCode).toBe(400);
    expect(overlapping.json()).toMatchObject({
      code: 'RULE_WINDOW_OVERLAP',
      conflictingRuleId: june.json().id,
      field: 'body.validFrom',
      fields: ['body.validFrom', 'body.validTo'],
    });
    expect((await db.pool.query('SELECT count(*)::int AS n FROM outbox_events')).rows[0].n).toBe(
      outboxBefore,
    );
    // Windows meeting end to start, another priority, or another quantity break are all fine.
    const july = await create(rule({ match: { sku }, validFrom: '2025-07-01T00:00:00Z' }));
    expect(july.statusCode).toBe(201);
    expect((await create(rule({ match: { sku }, priority: 1 }))).statusCode).toBe(201);
    expect((await create(rule({ match: { sku }, minQuantity: 10 }))).statusCode).toBe(201);
  });

  it('refuses one of two overlapping rules created at the same moment', async () => {
    const sku = uniqueSku('RACE');
    const results = await Promise.all([create(rule({ match: { sku } })), create(rule({ match: { sku } }))]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 400]);
  });

  it('answers 400 naming the field for a bad effect, segment, target or unknown field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [rule({ percentOffBp: 0 }), 'body.percentOffBp'],
      [rule({ percentOffBp: 10_001 }), 'body.percentOffBp'],
      [rule({ type: 'amount_off', percentOffBp: null, amountMinor: 500 }), 'body.currency'],
      [rule({ type: 'amount_off', percentOffBp: null, amountMinor: 500, currency: 'XYZ' }), 'body.currency'],
      [rule({ match: { segment: 'platinum' } }), 'body.match.segment'],
      [rule({ match: { segment: 'us-east/gold/active' } }), 'body.match.segment'],
      [rule({ match: {} }), 'body.match'],
      [rule({ type: 'bogo' }), 'body.type'],
      [rule({ validFrom: 'tomorrow' }), 'body.validFrom'],
      [rule({ stacking: 'stack' }), 'body.stacking'],
    ];
    for (const [body, field] of cases) {
      const res = await create(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(fieldsOf(res.json()), JSON.stringify(res.json())).toContain(field);
    }
  });

  it('answers 503 and writes neither rule nor event when the registry is unreachable', async () => {
    const offline = await buildTestApp({
      PRICING_DATABASE_URL: db.url,
      SCHEMA_REGISTRY_URL: `http://127.0.0.1:${await closedPort()}`,
    });
    try {
      const sku = uniqueSku('OFF');
      const res = await offline.inject({
        method: 'POST',
        url: '/rules',
        headers: bearer(offline, 'admin-1', ['admin']),
        payload: rule({ match: { sku } }),
      });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', dependency: 'schema-registry' });
      const { rows } = await db.pool.query('SELECT id FROM price_rules WHERE match_sku = $1', [sku]);
      expect(rows).toEqual([]);
    } finally {
      await offline.close();
    }
  });

  it('answers 403 for a service token and replays an Idempotency-Key without a second rule or event', async () => {
    const forbidden = await app.inject({
      method: 'POST',
      url: '/rules',
      headers: bearer(app, 'cart-service', ['service']),
      payload: rule(),
    });
    expect(forbidden.statusCode).toBe(403);
    const body = rule();
    const headers = { ...admin, 'idempotency-key': randomUUID() };
    const first = await app.inject({ method: 'POST', url: '/rules', headers, payload: body });
    const second = await app.inject({ method: 'POST', url: '/rules', headers, payload: body });
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json().id).toBe(first.json().id);
    const { rows } = await db.pool.query('SELECT id FROM price_rules WHERE match_sku = $1', [
      (body.match as { sku: string }).sku,
    ]);
    expect(rows).toHaveLength(1);
    expect(await events(first.json().id)).toHaveLength(1);
  });
});

describe('PATCH and DELETE /rules/{id}', () => {
  it('publishes updated, deleted on disable and created on enable, each with the next revision', async () => {
    const created = (await create(rule())).json();
    const changed = await patch(created.id, { percentOffBp: 2000, name: 'Summer shoes, deeper' });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ version: 2, percentOffBp: 2000, name: 'Summer shoes, deeper' });
    const disabled = await app.inject({ method: 'DELETE', url: `/rules/${created.id}`, headers: admin });
    expect(disabled.json()).toMatchObject({ version: 3, enabled: false });
    const enabled = await patch(created.id, { enabled: true });
    expect(enabled.json()).toMatchObject({ version: 4, enabled: true });
    const published = await events(created.id);
    expect(published.map(({ event }) => [event.change, event.revision, event.percent_off_bp])).toEqual([
      ['created', 1, 1500],
      ['updated', 2, 2000],
      ['deleted', 3, 2000],
      ['created', 4, 2000],
    ]);
  });

  it('changes nothing and publishes nothing for a change that changes nothing', async () => {
    const created = (await create(rule())).json();
    const same = await patch(created.id, { percentOffBp: 1500, name: 'Summer shoes' });
    expect(same.json().version).toBe(1);
    await app.inject({ method: 'DELETE', url: `/rules/${created.id}`, headers: admin });
    await app.inject({ method: 'DELETE', url: `/rules/${created.id}`, headers: admin });
    expect((await events(created.id)).map(({ event }) => event.change)).toEqual(['created', 'deleted']);
  });

  it('checks the rule as changed: a window made inverted by one end is 400 and nothing is written', async () => {
    const created = (
      await create(rule({ validFrom: '2025-06-01T00:00:00Z', validTo: '2025-07-01T00:00:00Z' }))
    ).json();
    const res = await patch(created.id, { validTo: '2025-05-01T00:00:00Z' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'INVALID_TIME_WINDOW', field: 'body.validTo' });
    const stored = (await app.inject({ method: 'GET', url: `/rules/${created.id}`, headers: admin })).json();
    expect(stored).toMatchObject({ version: 1, validTo: '2025-07-01T00:00:00.000Z' });
    expect(await events(created.id)).toHaveLength(1);
  });

  it('switches a rule from a percentage to an amount, dropping the percentage', async () => {
    const created = (await create(rule())).json();
    const res = await patch(created.id, { type: 'amount_off', amountMinor: 300, currency: 'EUR' });
    expect(res.json()).toMatchObject({
      type: 'amount_off',
      amountMinor: 300,
      currency: 'EUR',
      percentOffBp: null,
    });
    const [, updated] = await events(created.id);
    expect(updated!.event).toMatchObject({
      change: 'updated',
      rule_type: 'amount_off',
      amount_minor: 300,
      currency: 'EUR',
      percent_off_bp: null,
    });
  });

  it('answers 404 for a rule that does not exist and 400 for a region change', async () => {
    const missing = await patch(randomUUID(), { priority: 3 });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('RULE_NOT_FOUND');
    const created = (await create(rule())).json();
    const region = await patch(created.id, { region: 'us-east' });
    expect(region.statusCode).toBe(400);
    expect(region.json().errors[0].field).toBe('body.region');
  });
});

describe('GET /rules', () => {
  it('pages in creation order and filters by region, enabled state and SKU', async () => {
    const sku = uniqueSku('LIST');
    for (const priority of [1, 2, 3]) await create(rule({ match: { sku }, priority }));
    const us = await create(rule({ region: 'us-east', match: { sku } }));
    await app.inject({ method: 'DELETE', url: `/rules/${us.json().id}`, headers: admin });
    const service = bearer(app, 'cart-service', ['service']);
    const first = (
      await app.inject({ method: 'GET', url: `/rules?sku=${sku}&region=eu-west&limit=2`, headers: service })
    ).json();
    expect(first.items.map((r: { priority: number }) => r.priority)).toEqual([1, 2]);
    const second = (
      await app.inject({
        method: 'GET',
        url: `/rules?sku=${sku}&region=eu-west&limit=2&cursor=${first.nextCursor}`,
        headers: service,
      })
    ).json();
    expect(second.items.map((r: { priority: number }) => r.priority)).toEqual([3]);
    expect(second.nextCursor).toBeNull();
    const disabled = (
      await app.inject({ method: 'GET', url: `/rules?sku=${sku}&enabled=false`, headers: service })
    ).json();
    expect(disabled.items.map((r: { id: string }) => r.id)).toEqual([us.json().id]);
    expect(
      (await app.inject({ method: 'GET', url: '/rules', headers: bearer(app, randomUUID(), ['customer']) }))
        .statusCode,
    ).toBe(403);
  });
});
