import { randomUUID } from 'node:crypto';
import { createCouch } from '@shop/common';
import { stackEnv, waitFor } from '@shop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, bearer, buildTestApp, productBody, scratchDatabase } from '../helper.js';

let app: App;
let db: Awaited<ReturnType<typeof scratchDatabase>>;
let admin: { authorization: string };
const category = `gql-${randomUUID().slice(0, 8)}`;
const skus: Record<string, string> = {};

beforeAll(async () => {
  db = await scratchDatabase();
  app = await buildTestApp({ CATALOG_COUCHDB_DATABASE: db.name, CATALOG_STOREFRONT_CACHE_TTL_MS: '60000' });
  admin = { authorization: bearer(app, 'ops', ['admin']) };
  for (const [title, regions, status] of [
    ['Anorak', ['eu-west'], 'active'],
    ['Boots', ['eu-west', 'us-east'], 'active'],
    ['Cap', ['us-east'], 'active'],
    ['Draft socks', ['eu-west'], 'draft'],
  ] as const) {
    const res = await app.inject({
      method: 'POST',
      url: '/products',
      headers: admin,
      payload: productBody({ title, category, availableRegions: regions, status }),
    });
    skus[title] = res.json().sku;
  }
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

function gql(query: string, variables?: Record<string, unknown>) {
  return app.inject({
    method: 'POST',
    url: '/graphql',
    payload: { query, ...(variables ? { variables } : {}) },
  });
}

const listing = `query($category: String, $region: Region, $after: String, $first: Int!) {
  products(filter: { category: $category, region: $region }, first: $first, after: $after) {
    items { sku title availableRegions }
    pageInfo { endCursor hasNextPage }
  }
}`;

describe('POST /graphql products', () => {
  it('pages through active products of a category by title', async () => {
    const titles: string[] = [];
    let after: string | null = null;
    do {
      const res = await gql(listing, { category, first: 2, after });
      expect(res.statusCode).toBe(200);
      const page = res.json().data.products;
      titles.push(...page.items.map((p: { title: string }) => p.title));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(titles).toEqual(['Anorak', 'Boots', 'Cap']);
  });

  it('filters by region with the GraphQL enum', async () => {
    const res = await gql(listing, { category, region: 'US_EAST', first: 10 });
    const items = res.json().data.products.items;
    expect(items.map((p: { title: string }) => p.title)).toEqual(['Boots', 'Cap']);
    expect(items[0].availableRegions).toEqual(['EU_WEST', 'US_EAST']);
  });

  it('finds a product by SKU, not a draft, and relates products of its category', async () => {
    const res =
      await gql(`{ product(sku: "${skus.Anorak!.toLowerCase()}") { title related(first: 5) { title } }
      draft: product(sku: "${skus['Draft socks']}") { title } }`);
    expect(res.json().data).toEqual({
      product: { title: 'Anorak', related: [{ title: 'Boots' }, { title: 'Cap' }] },
      draft: null,
    });
  });

  it('lists categories with their active products', async () => {
    const res = await gql('{ categories { name products } }');
    expect(res.json().data.categories).toContainEqual({ name: category, products: 3 });
  });

  it('answers over GET too', async () => {
    const query = encodeURIComponent(`{ product(sku: "${skus.Cap}") { title } }`);
    const res = await app.inject({ method: 'GET', url: `/graphql?query=${query}` });
    expect(res.json()).toEqual({ data: { product: { title: 'Cap' } } });
  });
});

describe('bad GraphQL', () => {
  it('answers 400 with the GraphQL errors for a syntax error and an unknown field', async () => {
    const syntax = await gql('{ products { items { sku }');
    expect(syntax.statusCode).toBe(400);
    expect(syntax.json().errors[0]).toMatchObject({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(syntax.json().errors[0].message).toMatch(/Syntax Error/);
    const unknown = await gql('{ products { items { price } } }');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors[0].message).toMatch(/Cannot query field "price"/);
  });

  it('refuses a query deeper than the limit', async () => {
    const res = await gql(
      `{ product(sku: "${skus.Anorak}") { related(first: 1) { related(first: 1) { related(first: 1) {
        related(first: 1) { related(first: 1) { sku } } } } } } }`,
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_DEEP' } });
    expect(res.json().errors[0].message).toMatch(/depth/);
  });

  it('refuses a query costlier than the limit, saying its cost', async () => {
    const res = await gql('{ products(first: 100) { items { sku related(first: 10) { sku title } } } }');
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].extensions).toMatchObject({
      code: 'QUERY_TOO_COSTLY',
      cost: 2301,
      maxCost: 1000,
    });
  });

  it('answers 400 for a forged cursor, a page size out of range and a variable of the wrong type', async () => {
    const cursor = await gql(listing, { first: 2, after: 'forged' });
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json().errors[0].extensions.code).toBe('INVALID_CURSOR');
    const size = await gql(listing, { first: 0 });
    expect(size.statusCode).toBe(400);
    expect(size.json().errors[0].extensions.code).toBe('VALIDATION_FAILED');
    const type = await gql(listing, { first: 'ten' });
    expect(type.statusCode).toBe(400);
  });

  it('answers 400 problem+json for a body that is not a GraphQL request', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/graphql',
      payload: { query: '{ categories { name } }', extra: 1 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.json().errors[0].field).toBe('body.extra');
    const vars = await app.inject({
      method: 'GET',
      url: '/graphql?query=%7B%20categories%20%7B%20name%20%7D%20%7D&variables=%5B1%5D',
    });
    expect(vars.statusCode).toBe(400);
    expect(vars.json().detail).toMatch(/^querystring\.variables: /);
  });
});

describe('storefront cache', () => {
  const query = `{ products(filter: { category: "${category}" }) { items { title } } }`;
  const titles = async () => {
    const res = await gql(query);
    return {
      cache: res.headers['x-cache'],
      titles: res.json().data.products.items.map((p: { title: string }) => p.title),
    };
  };

  it('serves a repeated query from the cache and drops it when the API changes a product', async () => {
    await titles();
    expect((await titles()).cache).toBe('hit');
    const cap = (await app.inject({ method: 'GET', url: `/products/${skus.Cap}` })).json();
    await app.inject({
      method: 'PATCH',
      url: `/products/${skus.Cap}`,
      headers: { ...admin, 'if-match': cap.revision },
      payload: { title: 'Beanie' },
    });
    expect(await titles()).toEqual({ cache: 'miss', titles: ['Anorak', 'Beanie', 'Boots'] });
  });

  it('drops it when the database changes behind the service, through the _changes feed', async () => {
    await titles();
    expect((await titles()).cache).toBe('hit');
    const couch = createCouch(stackEnv().CATALOG_COUCHDB_URL!).use(db.name);
    const doc = (await couch.get(`product:${skus.Anorak}`)) as unknown as Record<string, unknown>;
    await couch.insert({ ...doc, status: 'archived' } as never);
    await waitFor(async () => (await titles()).titles.length === 2, 10_000);
    expect((await titles()).titles).toEqual(['Beanie', 'Boots']);
  });

  it('serves GET hits by URL and never lets a cached query excuse a bad request', async () => {
    const url = `/graphql?query=${encodeURIComponent(query)}`;
    await app.inject({ method: 'GET', url });
    expect((await app.inject({ method: 'GET', url })).headers['x-cache']).toBe('hit');
    const bad = await app.inject({ method: 'GET', url: `${url}&debug=1` });
    expect(bad.statusCode).toBe(400);
    await gql(query);
    const extra = await app.inject({ method: 'POST', url: '/graphql', payload: { query, debug: true } });
    expect(extra.statusCode).toBe(400);
  });

  it('answers concurrent misses of one query alike, from one execution', async () => {
    app.storefrontCache.invalidate();
    const answers = await Promise.all(Array.from({ length: 20 }, () => gql(query)));
    expect(answers.every((a) => a.statusCode === 200 && a.body === answers[0]!.body)).toBe(true);
    expect(answers.every((a) => a.headers['x-cache'] === 'miss')).toBe(true);
  });

  it('never caches an answer with errors', async () => {
    await gql(listing, { first: 2, after: 'forged' });
    const again = await gql(listing, { first: 2, after: 'forged' });
    expect(again.headers['x-cache']).toBe('miss');
  });
});
