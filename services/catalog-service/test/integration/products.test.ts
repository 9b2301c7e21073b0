import { randomUUID } from 'node:crypto';
import { createCouch } from '@shop/common';
import { stackEnv } from '@shop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, bearer, buildTestApp, productBody, scratchDatabase, uniqueSku } from '../helper.js';

let app: App;
let db: Awaited<ReturnType<typeof scratchDatabase>>;
let admin: { authorization: string };

beforeAll(async () => {
  db = await scratchDatabase();
  app = await buildTestApp({ CATALOG_COUCHDB_DATABASE: db.name });
  admin = { authorization: bearer(app, 'ops', ['admin']) };
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

function create(body: Record<string, unknown>, headers: Record<string, string> = admin) {
  return app.inject({ method: 'POST', url: '/products', payload: body, headers });
}

describe('POST /products', () => {
  it('creates a product with an upper-cased SKU, a Location and the revision as ETag', async () => {
    const sku = uniqueSku('new').toLowerCase();
    const res = await create(productBody({ sku, status: undefined }));
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ sku: sku.toUpperCase(), status: 'draft', region: 'eu-west', media: [] });
    expect(res.headers.location).toBe(`/products/${sku.toUpperCase()}`);
    expect(res.headers.etag).toBe(`"${body.revision}"`);
  });

  it('answers 409 SKU_TAKEN for a SKU that exists, whatever its case', async () => {
    const sku = uniqueSku('dup');
    expect((await create(productBody({ sku }))).statusCode).toBe(201);
    const again = await create(productBody({ sku: sku.toLowerCase(), title: 'Another' }));
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(again.json().code).toBe('SKU_TAKEN');
  });

  it('answers 400 naming the field for an unknown field, a bad SKU and a bad region, writing nothing', async () => {
    const sku = uniqueSku('bad');
    const unknown = await create({ ...productBody({ sku }), price: 10 });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors[0].field).toBe('body.price');
    const badSku = await create(productBody({ sku: 'has space' }));
    expect(badSku.json().errors[0].field).toBe('body.sku');
    const badRegion = await create(productBody({ sku, availableRegions: ['mars'] }));
    expect(badRegion.statusCode).toBe(400);
    expect(badRegion.json().errors[0].field).toBe('body.availableRegions.0');
    expect((await app.inject({ method: 'GET', url: `/products/${sku}`, headers: admin })).statusCode).toBe(
      404,
    );
  });

  it('answers 401 without a token and 403 to a customer', async () => {
    expect((await create(productBody(), {})).statusCode).toBe(401);
    const customer = { authorization: bearer(app, randomUUID(), ['customer']) };
    const res = await create(productBody(), customer);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('FORBIDDEN');
  });

  it('replays the first response for the same Idempotency-Key and refuses another body with it', async () => {
    const key = randomUUID();
    const body = productBody();
    const first = await create(body, { ...admin, 'idempotency-key': key });
    const second = await create(body, { ...admin, 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json().revision).toBe(first.json().revision);
    const other = await create(productBody(), { ...admin, 'idempotency-key': key });
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});

describe('GET /products/:sku', () => {
  it('shows active products to anyone and drafts only to admins', async () => {
    const active = (await create(productBody())).json();
    const draft = (await create(productBody({ status: 'draft' }))).json();
    const pub = await app.inject({ method: 'GET', url: `/products/${active.sku}` });
    expect(pub.statusCode).toBe(200);
    expect(pub.headers.etag).toBe(`"${active.revision}"`);
    const hidden = await app.inject({ method: 'GET', url: `/products/${draft.sku}` });
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().code).toBe('PRODUCT_NOT_FOUND');
    expect(
      (await app.inject({ method: 'GET', url: `/products/${draft.sku}`, headers: admin })).statusCode,
    ).toBe(200);
  });

  it('answers 404 for an unknown SKU and 400 for one that cannot be a SKU', async () => {
    const unknown = await app.inject({ method: 'GET', url: `/products/${uniqueSku('none')}` });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/problem\+json/);
    const bad = await app.inject({ method: 'GET', url: '/products/-x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('params.sku');
  });
});

describe('PATCH /products/:sku', () => {
  it('changes a product at the revision sent and answers 409 to a stale one', async () => {
    const p = (await create(productBody())).json();
    const url = `/products/${p.sku}`;
    const changed = await app.inject({
      method: 'PATCH',
      url,
      headers: { ...admin, 'if-match': `"${p.revision}"` },
      payload: { title: 'Trail Runner 2', attributes: { colour: 'red' } },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ title: 'Trail Runner 2', attributes: { colour: 'red' } });
    expect(changed.json().revision).not.toBe(p.revision);
    expect(changed.headers.etag).toBe(`"${changed.json().revision}"`);

    const stale = await app.inject({
      method: 'PATCH',
      url,
      headers: { ...admin, 'if-match': `"${p.revision}"` },
      payload: { title: 'Lost update' },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({
      code: 'REVISION_CONFLICT',
      currentRevision: changed.json().revision,
    });
    expect((await app.inject({ method: 'GET', url })).json().title).toBe('Trail Runner 2');
  });

  it('answers 428 without If-Match, 400 for an empty or unknown change, 404 for an unknown product', async () => {
    const p = (await create(productBody())).json();
    const url = `/products/${p.sku}`;
    const noRevision = await app.inject({ method: 'PATCH', url, headers: admin, payload: { title: 'x' } });
    expect(noRevision.statusCode).toBe(428);
    expect(noRevision.json().code).toBe('REVISION_REQUIRED');
    const headers = { ...admin, 'if-match': p.revision };
    expect((await app.inject({ method: 'PATCH', url, headers, payload: {} })).statusCode).toBe(400);
    const unknown = await app.inject({ method: 'PATCH', url, headers, payload: { sku: 'OTHER-1' } });
    expect(unknown.json().errors[0].field).toBe('body.sku');
    const missing = await app.inject({
      method: 'PATCH',
      url: `/products/${uniqueSku('none')}`,
      headers,
      payload: { title: 'x' },
    });
    expect(missing.statusCode).toBe(404);
  });
});

describe('DELETE /products/:sku', () => {
  it('deletes at the current revision only; afterwards the SKU is free again', async () => {
    const p = (await create(productBody())).json();
    const url = `/products/${p.sku}`;
    const changed = (
      await app.inject({
        method: 'PATCH',
        url,
        headers: { ...admin, 'if-match': p.revision },
        payload: { title: 'v2' },
      })
    ).json();
    const stale = await app.inject({ method: 'DELETE', url, headers: { ...admin, 'if-match': p.revision } });
    expect(stale.statusCode).toBe(409);
    const gone = await app.inject({
      method: 'DELETE',
      url,
      headers: { ...admin, 'if-match': changed.revision },
    });
    expect(gone.statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url, headers: admin })).statusCode).toBe(404);
    const again = await app.inject({
      method: 'DELETE',
      url,
      headers: { ...admin, 'if-match': changed.revision },
    });
    expect(again.statusCode).toBe(404);
    expect((await create(productBody({ sku: p.sku }))).statusCode).toBe(201);
  });
});

describe('GET /products', () => {
  const category = `cat-${randomUUID().slice(0, 8)}`;
  const skus: string[] = [];

  beforeAll(async () => {
    const titles = ['Delta', 'alpha', 'Charlie', 'bravo', 'Echo'];
    for (const [i, title] of titles.entries()) {
      const res = await create(
        productBody({
          title,
          category,
          description: i === 2 ? 'Has a Gore-Tex (waterproof) membrane' : 'Plain',
          availableRegions: i % 2 === 0 ? ['eu-west'] : ['ap-south'],
        }),
      );
      skus.push(res.json().sku);
    }
    await create(productBody({ category, title: 'Zulu draft', status: 'draft' }));
  });

  async function walk(query: string, limit: number, headers: Record<string, string> = {}) {
    const titles: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/products?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await app.inject({ method: 'GET', url, headers });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.items.length).toBeLessThanOrEqual(limit);
      titles.push(...body.items.map((p: { title: string }) => p.title));
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor && pages < 20);
    return titles;
  }

  it('walks every active product of a category once, by title, across pages', async () => {
    expect(await walk(`category=${category}`, 2)).toEqual(['alpha', 'bravo', 'Charlie', 'Delta', 'Echo']);
  });

  it('sorts newest first and by SKU', async () => {
    expect(await walk(`category=${category}&sort=newest`, 2)).toEqual([
      'Echo',
      'bravo',
      'Charlie',
      'alpha',
      'Delta',
    ]);
    const bySku = await walk(`category=${category}&sort=sku`, 4);
    expect(bySku).toHaveLength(5);
  });

  it('filters by region availability and by text', async () => {
    expect(await walk(`category=${category}&region=ap-south`, 1)).toEqual(['alpha', 'bravo']);
    expect(await walk(`category=${category}&q=${encodeURIComponent('gore-tex (waterproof')}`, 10)).toEqual([
      'Charlie',
    ]);
  });

  it('lists drafts to admins only', async () => {
    expect(await walk(`category=${category}&status=draft`, 10, admin)).toEqual(['Zulu draft']);
    expect(await walk(`category=${category}&status=any`, 10, admin)).toHaveLength(6);
    const anonymous = await app.inject({ method: 'GET', url: `/products?status=draft` });
    expect(anonymous.statusCode).toBe(401);
  });

  it('answers 400 to a forged cursor, a cursor of another sort and a bad limit', async () => {
    const forged = await app.inject({ method: 'GET', url: '/products?cursor=abc' });
    expect(forged.json().code).toBe('INVALID_CURSOR');
    const first = (await app.inject({ method: 'GET', url: `/products?category=${category}&limit=1` })).json();
    const other = await app.inject({ method: 'GET', url: `/products?sort=sku&cursor=${first.nextCursor}` });
    expect(other.statusCode).toBe(400);
    const limit = await app.inject({ method: 'GET', url: '/products?limit=0' });
    expect(limit.json().errors[0].field).toBe('querystring.limit');
  });

  it('skips a document written around the service that is not a valid product, and counts it', async () => {
    const couch = createCouch(stackEnv().CATALOG_COUCHDB_URL!).use(db.name);
    const sku = uniqueSku('drift');
    // What a writer with another idea of the schema leaves behind: keys in place, region renamed.
    await couch.insert({
      _id: `product:${sku}`,
      type: 'product',
      sku,
      title: 'Aardvark drifted',
      category,
      status: 'active',
      homeRegion: 'eu-west',
      availableRegions: ['eu-west'],
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      titleKey: `aardvark drifted ${sku}`,
      updatedKey: `${new Date().toISOString()} ${sku}`,
      searchText: 'aardvark',
    } as never);
    expect(await walk(`category=${category}`, 10)).toEqual(['alpha', 'bravo', 'Charlie', 'Delta', 'Echo']);
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/catalog_invalid_documents_total\{[^}]*\} [1-9]/);
  });
});

describe('GET /categories', () => {
  it('counts active products per category and drafts for admins', async () => {
    const category = `cnt-${randomUUID().slice(0, 8)}`;
    await create(productBody({ category }));
    await create(productBody({ category }));
    await create(productBody({ category, status: 'draft' }));
    const active = (await app.inject({ method: 'GET', url: '/categories' })).json().items;
    expect(active.find((c: { name: string }) => c.name === category)).toEqual({
      name: category,
      products: 2,
    });
    const drafts = (
      await app.inject({ method: 'GET', url: '/categories?status=draft', headers: admin })
    ).json().items;
    expect(drafts.find((c: { name: string }) => c.name === category)).toEqual({
      name: category,
      products: 1,
    });
    expect((await app.inject({ method: 'GET', url: '/categories?status=draft' })).statusCode).toBe(401);
  });
});
