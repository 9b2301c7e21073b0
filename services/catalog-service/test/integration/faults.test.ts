import net from 'node:net';
import path from 'node:path';
import { closedPort, forwarder, runServiceMain, stackEnv, waitFor } from '@shop/testing';
import { describe, expect, it } from 'vitest';
import { images, multipartBody } from '../fixtures.js';
import { bearer, buildTestApp, productBody, scratchDatabase } from '../helper.js';

const serviceDir = path.resolve(import.meta.dirname, '../..');

describe('nothing reachable', () => {
  it('builds and becomes ready to serve probes, reporting every store as failing', async () => {
    const app = await buildTestApp({
      CATALOG_COUCHDB_URL: `http://admin:x@127.0.0.1:${await closedPort()}`,
      CATALOG_S3_ENDPOINT: `http://127.0.0.1:${await closedPort()}`,
      CATALOG_KAFKA_BROKERS: `127.0.0.1:${await closedPort()}`,
      CATALOG_PRODUCT_EVENTS: '1',
    });
    try {
      const ready = await app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().failing).toEqual(['couchdb', 'object-store']);
      const list = await app.inject({ method: 'GET', url: '/products' });
      expect(list.statusCode).toBe(503);
      expect(list.json().code).toBe('DEPENDENCY_UNAVAILABLE');
      const gql = await app.inject({
        method: 'POST',
        url: '/graphql',
        payload: { query: '{ categories { name } }' },
      });
      expect(gql.statusCode).toBe(503);
      expect(gql.json().errors[0].extensions.code).toBe('DEPENDENCY_UNAVAILABLE');
    } finally {
      await app.close();
    }
  });
});

describe('CouchDB API down', () => {
  it('answers 503 problem+json, reports not ready, and recovers by itself', async () => {
    const db = await scratchDatabase();
    const url = new URL(stackEnv().CATALOG_COUCHDB_URL!);
    const link = await forwarder(Number(url.port));
    url.port = String(link.port);
    const app = await buildTestApp({
      CATALOG_COUCHDB_URL: url.toString(),
      CATALOG_COUCHDB_DATABASE: db.name,
    });
    const admin = { authorization: bearer(app, 'ops', ['admin']) };
    try {
      expect((await app.inject({ method: 'GET', url: '/products' })).statusCode).toBe(200);
      await link.cut();
      const down = await app.inject({ method: 'GET', url: '/products' });
      expect(down.statusCode).toBe(503);
      expect(down.headers['content-type']).toMatch(/problem\+json/);
      const write = await app.inject({
        method: 'POST',
        url: '/products',
        headers: admin,
        payload: productBody(),
      });
      expect(write.statusCode).toBe(503);
      const ready = await app.inject({ method: 'GET', url: '/ready' });
      expect(ready.json().failing).toEqual(['couchdb']);
      await link.restore();
      await waitFor(
        async () => (await app.inject({ method: 'GET', url: '/ready' })).statusCode === 200,
        10_000,
      );
      expect(
        (await app.inject({ method: 'POST', url: '/products', headers: admin, payload: productBody() }))
          .statusCode,
      ).toBe(201);
    } finally {
      await app.close();
      await link.close();
      await db.drop();
    }
  });
});

describe('CouchDB API hung', () => {
  it('answers 503 after the store timeout instead of waiting forever', async () => {
    // Accepts connections and never answers, like a server stuck in a restart.
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    const app = await buildTestApp({ CATALOG_COUCHDB_URL: `http://admin:x@127.0.0.1:${port}` });
    try {
      const started = Date.now();
      const res = await app.inject({ method: 'GET', url: '/products/SOME-SKU' });
      expect(res.statusCode).toBe(503);
      expect(res.json().detail).toMatch(/did not answer within 5000 ms/);
      expect(Date.now() - started).toBeLessThan(8000);
    } finally {
      await app.close();
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});

describe('object store down', () => {
  it('refuses an upload with 503 and leaves the product unchanged', async () => {
    const db = await scratchDatabase();
    const app = await buildTestApp({
      CATALOG_COUCHDB_DATABASE: db.name,
      CATALOG_S3_ENDPOINT: `http://127.0.0.1:${await closedPort()}`,
    });
    const admin = { authorization: bearer(app, 'ops', ['admin']) };
    try {
      const p = (
        await app.inject({ method: 'POST', url: '/products', headers: admin, payload: productBody() })
      ).json();
      const { payload, headers } = multipartBody('file', 'a.png', 'image/png', images.png);
      const res = await app.inject({
        method: 'POST',
        url: `/products/${p.sku}/media`,
        payload,
        headers: { ...headers, ...admin },
      });
      expect(res.statusCode).toBe(503);
      expect(res.json().code).toBe('DEPENDENCY_UNAVAILABLE');
      const after = (await app.inject({ method: 'GET', url: `/products/${p.sku}` })).json();
      expect(after.media).toEqual([]);
      expect(after.revision).toBe(p.revision);
    } finally {
      await app.close();
      await db.drop();
    }
  });
});

const runMain = (env: NodeJS.ProcessEnv) => runServiceMain(serviceDir, env);

describe('process start and stop', () => {
  it('exits at start naming every missing or invalid variable', async () => {
    const env = stackEnv();
    delete env.CATALOG_COUCHDB_URL;
    const run = runMain({ ...env, CATALOG_GRAPHQL_MAX_DEPTH: 'deep' });
    expect(await run.exited).toBe(78);
    expect(run.output().stderr).toContain('CATALOG_COUCHDB_URL');
    expect(run.output().stderr).toContain('CATALOG_GRAPHQL_MAX_DEPTH');
  });

  it('drains and exits 0 on SIGTERM, publisher included', async () => {
    const port = await closedPort();
    const db = await scratchDatabase();
    const run = runMain({
      ...stackEnv({
        CATALOG_PORT: String(port),
        CATALOG_COUCHDB_DATABASE: db.name,
        CATALOG_PRODUCT_EVENTS: '1',
        LOG_LEVEL: 'info',
      }),
    });
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/ready`)).ok, 20_000);
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      expect(run.output().stdout).toContain('shutting down');
    } finally {
      await db.drop();
    }
  });
});
