import { randomUUID } from 'node:crypto';
import { createObjectStore } from '@shop/common';
import { stackEnv } from '@shop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaPrefix } from '../../src/domain/media.js';
import { images, multipartBody } from '../fixtures.js';
import { type App, bearer, buildTestApp, productBody, scratchDatabase } from '../helper.js';

const maxBytes = 4096;
let app: App;
let db: Awaited<ReturnType<typeof scratchDatabase>>;
let admin: { authorization: string };
const env = stackEnv();
const store = createObjectStore({
  endpoint: env.CATALOG_S3_ENDPOINT!,
  accessKey: env.CATALOG_S3_ACCESS_KEY!,
  secretKey: env.CATALOG_S3_SECRET_KEY!,
  region: env.CATALOG_S3_REGION!,
  bucket: env.CATALOG_S3_BUCKET!,
});

beforeAll(async () => {
  db = await scratchDatabase();
  app = await buildTestApp({ CATALOG_COUCHDB_DATABASE: db.name, CATALOG_MEDIA_MAX_BYTES: String(maxBytes) });
  admin = { authorization: bearer(app, 'ops', ['admin']) };
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

async function product(overrides: Record<string, unknown> = {}) {
  const res = await app.inject({
    method: 'POST',
    url: '/products',
    headers: admin,
    payload: productBody(overrides),
  });
  expect(res.statusCode).toBe(201);
  return res.json() as { sku: string; revision: string };
}

function upload(sku: string, type: string, content: Buffer, field = 'file') {
  const { payload, headers } = multipartBody(field, 'image', type, content);
  return app.inject({
    method: 'POST',
    url: `/products/${sku}/media`,
    payload,
    headers: { ...headers, ...admin },
  });
}

describe('POST /products/:sku/media', () => {
  it('stores each accepted image type and serves it back through a pre-signed URL', async () => {
    const p = await product();
    for (const [type, bytes] of [
      ['image/png', images.png],
      ['image/jpeg', images.jpeg],
      ['image/webp', images.webp],
    ] as const) {
      const res = await upload(p.sku, type, bytes);
      expect(res.statusCode).toBe(201);
      const media = res.json();
      expect(media).toMatchObject({ contentType: type, bytes: bytes.length });
      expect(res.headers.location).toBe(`/products/${p.sku}/media/${media.id}`);
      const fetched = await fetch(media.url);
      expect(fetched.status).toBe(200);
      expect(fetched.headers.get('content-type')).toBe(type);
      expect(Buffer.from(await fetched.arrayBuffer())).toEqual(bytes);
    }
    const read = (await app.inject({ method: 'GET', url: `/products/${p.sku}` })).json();
    expect(read.media.map((m: { contentType: string }) => m.contentType)).toEqual([
      'image/png',
      'image/jpeg',
      'image/webp',
    ]);
    expect(read.media[0].key).toBeUndefined();
    const redirect = await app.inject({ method: 'GET', url: `/products/${p.sku}/media/${read.media[0].id}` });
    expect(redirect.statusCode).toBe(302);
    expect((await fetch(redirect.headers.location as string)).status).toBe(200);
  });

  it('answers 415 for another image type, for bytes that are not the declared type, and for a non-multipart body', async () => {
    const p = await product();
    const gif = await upload(p.sku, 'image/gif', Buffer.from('GIF89a'));
    expect(gif.statusCode).toBe(415);
    expect(gif.headers['content-type']).toMatch(/problem\+json/);
    expect(gif.json().code).toBe('MEDIA_TYPE_NOT_ALLOWED');
    const disguised = await upload(p.sku, 'image/png', Buffer.from('%PDF-1.7 not an image'));
    expect(disguised.statusCode).toBe(415);
    expect(disguised.json().detail).toMatch(/declared image\/png/);
    const json = await app.inject({
      method: 'POST',
      url: `/products/${p.sku}/media`,
      headers: admin,
      payload: { file: 'x' },
    });
    expect(json.statusCode).toBe(415);
    const raw = await app.inject({
      method: 'POST',
      url: `/products/${p.sku}/media`,
      headers: { ...admin, 'content-type': 'image/png' },
      payload: images.png,
    });
    expect(raw.statusCode).toBe(415);
    expect(await store.list(mediaPrefix(p.sku))).toEqual([]);
  });

  it('answers 413 for an image over the limit and stores nothing', async () => {
    const p = await product();
    const big = Buffer.concat([images.png, Buffer.alloc(maxBytes)]);
    const res = await upload(p.sku, 'image/png', big);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'MEDIA_TOO_LARGE', maxBytes });
    expect(await store.list(mediaPrefix(p.sku))).toEqual([]);
  });

  it('answers 404 for an unknown product, 400 without a `file` part, 403 to a customer', async () => {
    const missing = await upload('NO-SUCH-SKU-1', 'image/png', images.png);
    expect(missing.statusCode).toBe(404);
    const p = await product();
    const noFile = await upload(p.sku, 'image/png', images.png, 'picture');
    expect(noFile.statusCode).toBe(400);
    expect(noFile.json().code).toBe('MEDIA_FILE_MISSING');
    const { payload, headers } = multipartBody('file', 'a.png', 'image/png', images.png);
    const customer = await app.inject({
      method: 'POST',
      url: `/products/${p.sku}/media`,
      payload,
      headers: { ...headers, authorization: bearer(app, randomUUID(), ['customer']) },
    });
    expect(customer.statusCode).toBe(403);
  });
});

describe('removing media', () => {
  it('removes one image with DELETE on the media item', async () => {
    const p = await product();
    const media = (await upload(p.sku, 'image/png', images.png)).json();
    const url = `/products/${p.sku}/media/${media.id}`;
    expect((await app.inject({ method: 'DELETE', url, headers: admin })).statusCode).toBe(204);
    expect((await app.inject({ method: 'DELETE', url, headers: admin })).statusCode).toBe(404);
    expect(await store.list(mediaPrefix(p.sku))).toEqual([]);
    expect((await fetch(media.url)).status).toBe(404);
  });

  it('removes every image of a deleted product from the object store', async () => {
    const p = await product();
    await upload(p.sku, 'image/png', images.png);
    await upload(p.sku, 'image/jpeg', images.jpeg);
    expect(await store.list(mediaPrefix(p.sku))).toHaveLength(2);
    const current = (await app.inject({ method: 'GET', url: `/products/${p.sku}` })).json();
    const del = await app.inject({
      method: 'DELETE',
      url: `/products/${p.sku}`,
      headers: { ...admin, 'if-match': `"${current.revision}"` },
    });
    expect(del.statusCode).toBe(204);
    expect(await store.list(mediaPrefix(p.sku))).toEqual([]);
  });
});
