import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, bearer, buildTestApp, uniqueEmail } from '../helper.js';

let app: App;
let admin: string;

beforeAll(async () => {
  app = await buildTestApp();
  admin = bearer(app, 'ops', ['admin']);
});
afterAll(() => app.close());

async function register(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/customers', payload: body, headers });
}

describe('POST /customers', () => {
  it('registers a customer with a normalised email and a Location', async () => {
    const email = uniqueEmail('Ann');
    const res = await register({ email: email.toUpperCase(), name: 'Ann', region: 'eu-west' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      email: email.toLowerCase(),
      name: 'Ann',
      region: 'eu-west',
      lifetimeSpendMinor: 0,
    });
    expect(res.headers.location).toBe(`/customers/${res.json().id}`);
  });

  it('answers 409 when the email is taken, whatever its case', async () => {
    const email = uniqueEmail('dup');
    expect((await register({ email, name: 'A', region: 'us-east' })).statusCode).toBe(201);
    const again = await register({ email: email.toUpperCase(), name: 'B', region: 'us-east' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('EMAIL_TAKEN');
  });

  it('answers 400 naming the bad field and writes nothing', async () => {
    const email = uniqueEmail('bad');
    const res = await register({ email, name: 'A', region: 'mars' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('body.region');
    const found = await app.inject({
      method: 'GET',
      url: `/customers?email=${encodeURIComponent(email)}`,
      headers: { authorization: admin },
    });
    expect(found.json().items).toEqual([]);
  });

  it('replays the first response for the same Idempotency-Key and body', async () => {
    const key = randomUUID();
    const body = { email: uniqueEmail('idem'), name: 'Idem', region: 'ap-south' };
    const first = await register(body, { 'idempotency-key': key });
    const second = await register(body, { 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json().id).toBe(first.json().id);
    expect(second.headers['idempotent-replayed']).toBe('true');
  });

  it('answers 422 for the same Idempotency-Key with another body', async () => {
    const key = randomUUID();
    await register({ email: uniqueEmail('k1'), name: 'K', region: 'ap-south' }, { 'idempotency-key': key });
    const res = await register(
      { email: uniqueEmail('k2'), name: 'K', region: 'ap-south' },
      { 'idempotency-key': key },
    );
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});

describe('GET /customers/:customerId', () => {
  it('reads through the cache and sees a change at once', async () => {
    const created = (
      await register({ email: uniqueEmail('cache'), name: 'Before', region: 'eu-west' })
    ).json();
    const self = bearer(app, created.id, ['customer']);
    const url = `/customers/${created.id}`;
    const miss = await app.inject({ method: 'GET', url, headers: { authorization: self } });
    expect(miss.headers['x-cache']).toBe('miss');
    const hit = await app.inject({ method: 'GET', url, headers: { authorization: self } });
    expect(hit.headers['x-cache']).toBe('hit');
    expect(hit.json()).toEqual(miss.json());

    const patched = await app.inject({
      method: 'PATCH',
      url,
      headers: { authorization: self },
      payload: { name: 'After' },
    });
    expect(patched.statusCode).toBe(200);
    const after = await app.inject({ method: 'GET', url, headers: { authorization: self } });
    expect(after.json().name).toBe('After');
  });

  it("answers 403 to a customer reading another customer's record", async () => {
    const a = (await register({ email: uniqueEmail('a'), name: 'A', region: 'eu-west' })).json();
    const b = (await register({ email: uniqueEmail('b'), name: 'B', region: 'eu-west' })).json();
    const res = await app.inject({
      method: 'GET',
      url: `/customers/${b.id}`,
      headers: { authorization: bearer(app, a.id, ['customer']) },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('FORBIDDEN');
  });

  it('answers 404 problem+json for an unknown id and 400 for a bad UUID', async () => {
    const unknown = await app.inject({
      method: 'GET',
      url: `/customers/${randomUUID()}`,
      headers: { authorization: admin },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('CUSTOMER_NOT_FOUND');
    const bad = await app.inject({ method: 'GET', url: '/customers/123', headers: { authorization: admin } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('params.customerId');
  });
});

describe('PATCH and DELETE /customers/:customerId', () => {
  it('answers 409 when changing to a taken email', async () => {
    const taken = uniqueEmail('taken');
    await register({ email: taken, name: 'T', region: 'us-east' });
    const c = (await register({ email: uniqueEmail('mover'), name: 'M', region: 'us-east' })).json();
    const res = await app.inject({
      method: 'PATCH',
      url: `/customers/${c.id}`,
      headers: { authorization: admin },
      payload: { email: taken },
    });
    expect(res.statusCode).toBe(409);
  });

  it('answers 400 to an empty change and to an unknown field', async () => {
    const c = (await register({ email: uniqueEmail('empty'), name: 'E', region: 'us-east' })).json();
    const empty = await app.inject({
      method: 'PATCH',
      url: `/customers/${c.id}`,
      headers: { authorization: admin },
      payload: {},
    });
    expect(empty.statusCode).toBe(400);
    const unknown = await app.inject({
      method: 'PATCH',
      url: `/customers/${c.id}`,
      headers: { authorization: admin },
      payload: { vip: true },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors[0].field).toBe('body.vip');
  });

  it('deletes a customer, after which reads answer 404', async () => {
    const c = (await register({ email: uniqueEmail('gone'), name: 'G', region: 'us-east' })).json();
    const self = bearer(app, c.id, ['customer']);
    await app.inject({ method: 'GET', url: `/customers/${c.id}`, headers: { authorization: self } }); // cache it
    const del = await app.inject({
      method: 'DELETE',
      url: `/customers/${c.id}`,
      headers: { authorization: self },
    });
    expect(del.statusCode).toBe(204);
    const res = await app.inject({
      method: 'GET',
      url: `/customers/${c.id}`,
      headers: { authorization: admin },
    });
    expect(res.statusCode).toBe(404);
  });
});

describe('GET /customers', () => {
  it('walks every page once, in creation order', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(
        (await register({ email: uniqueEmail(`page${i}`), name: `P${i}`, region: 'ap-south' })).json().id,
      );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/customers?region=ap-south&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await app.inject({ method: 'GET', url, headers: { authorization: admin } });
      expect(page.statusCode).toBe(200);
      const body = page.json();
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((c: { id: string }) => c.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => ids.includes(id))).toEqual(ids);
  });

  it('answers 400 to a negative page size and to a forged cursor', async () => {
    const neg = await app.inject({
      method: 'GET',
      url: '/customers?limit=-1',
      headers: { authorization: admin },
    });
    expect(neg.statusCode).toBe(400);
    expect(neg.json().errors[0].field).toBe('querystring.limit');
    const forged = await app.inject({
      method: 'GET',
      url: '/customers?cursor=abc',
      headers: { authorization: admin },
    });
    expect(forged.statusCode).toBe(400);
    expect(forged.json().code).toBe('INVALID_CURSOR');
  });

  it('answers 403 to a customer', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/customers',
      headers: { authorization: bearer(app, randomUUID(), ['customer']) },
    });
    expect(res.statusCode).toBe(403);
  });
});

describe('addresses', () => {
  it('keeps exactly one default address', async () => {
    const c = (await register({ email: uniqueEmail('addr'), name: 'Addr', region: 'eu-west' })).json();
    const auth = { authorization: bearer(app, c.id, ['customer']) };
    const base = { line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' };
    const home = await app.inject({
      method: 'POST',
      url: `/customers/${c.id}/addresses`,
      headers: auth,
      payload: { ...base, label: 'home', isDefault: true },
    });
    expect(home.statusCode).toBe(201);
    const work = await app.inject({
      method: 'POST',
      url: `/customers/${c.id}/addresses`,
      headers: auth,
      payload: { ...base, label: 'work', isDefault: true },
    });
    expect(work.statusCode).toBe(201);
    const list = (
      await app.inject({ method: 'GET', url: `/customers/${c.id}/addresses`, headers: auth })
    ).json().items;
    expect(list.map((a: { label: string; isDefault: boolean }) => [a.label, a.isDefault])).toEqual([
      ['home', false],
      ['work', true],
    ]);
    const patched = await app.inject({
      method: 'PATCH',
      url: `/customers/${c.id}/addresses/${home.json().id}`,
      headers: auth,
      payload: { isDefault: true, line2: 'Floor 2' },
    });
    expect(patched.json()).toMatchObject({ isDefault: true, line2: 'Floor 2' });
    const del = await app.inject({
      method: 'DELETE',
      url: `/customers/${c.id}/addresses/${work.json().id}`,
      headers: auth,
    });
    expect(del.statusCode).toBe(204);
    const again = await app.inject({
      method: 'DELETE',
      url: `/customers/${c.id}/addresses/${work.json().id}`,
      headers: auth,
    });
    expect(again.statusCode).toBe(404);
  });

  it('answers 400 to a country that is not ISO alpha-2', async () => {
    const c = (await register({ email: uniqueEmail('cty'), name: 'C', region: 'eu-west' })).json();
    const res = await app.inject({
      method: 'POST',
      url: `/customers/${c.id}/addresses`,
      headers: { authorization: bearer(app, c.id, ['customer']) },
      payload: { label: 'x', line1: 'y', city: 'z', postalCode: '1', country: 'Germany' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('body.country');
  });
});

describe('segments', () => {
  it('moves a customer to gold/active after a large purchase', async () => {
    const c = (await register({ email: uniqueEmail('seg'), name: 'S', region: 'us-east' })).json();
    const svc = bearer(app, 'order', ['service']);
    const before = await app.inject({
      method: 'GET',
      url: `/customers/${c.id}/segment`,
      headers: { authorization: svc },
    });
    expect(before.json().key).toBe('us-east/none/never');
    const bought = await app.inject({
      method: 'POST',
      url: `/customers/${c.id}/purchases`,
      headers: { authorization: svc },
      payload: { amountMinor: 150_000, occurredAt: new Date().toISOString() },
    });
    expect(bought.statusCode).toBe(200);
    const after = await app.inject({
      method: 'GET',
      url: `/customers/${c.id}/segment`,
      headers: { authorization: svc },
    });
    expect(after.json().key).toBe('us-east/gold/active');
    const sizes = (
      await app.inject({ method: 'GET', url: '/segments?region=us-east', headers: { authorization: admin } })
    ).json();
    expect(
      sizes.segments.find((s: { key: string }) => s.key === 'us-east/gold/active').customers,
    ).toBeGreaterThanOrEqual(1);
    expect(sizes.segments.every((s: { region: string }) => s.region === 'us-east')).toBe(true);
  });

  it('answers 403 to a customer recording their own purchase', async () => {
    const c = (await register({ email: uniqueEmail('cheat'), name: 'C', region: 'us-east' })).json();
    const res = await app.inject({
      method: 'POST',
      url: `/customers/${c.id}/purchases`,
      headers: { authorization: bearer(app, c.id, ['customer']) },
      payload: { amountMinor: 1, occurredAt: new Date().toISOString() },
    });
    expect(res.statusCode).toBe(403);
  });
});

describe('POST /auth/dev-token', () => {
  it('issues a customer token that reads only that customer', async () => {
    const email = uniqueEmail('tok');
    const c = (await register({ email, name: 'T', region: 'eu-west' })).json();
    const token = (await app.inject({ method: 'POST', url: '/auth/dev-token', payload: { email } })).json();
    expect(token).toMatchObject({ subject: c.id, roles: ['customer'], tokenType: 'Bearer' });
    const res = await app.inject({
      method: 'GET',
      url: `/customers/${c.id}`,
      headers: { authorization: `Bearer ${token.token}` },
    });
    expect(res.statusCode).toBe(200);
  });

  it('answers 404 for an unknown customer', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/auth/dev-token',
      payload: { customerId: randomUUID() },
    });
    expect(res.statusCode).toBe(404);
  });
});
