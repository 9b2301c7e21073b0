import path from 'node:path';
import { closedPort, forwarder, runServiceMain, stackEnv, waitFor } from '@shop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp } from '../helper.js';
import { type StandIns, startStandIns } from './stand-ins.js';

const serviceDir = path.resolve(import.meta.dirname, '../..');

let deps: StandIns;
beforeAll(async () => {
  deps = await startStandIns();
  deps.products.set('APPLE-1', { title: 'Apple', status: 'active' });
  deps.prices.set('APPLE-1', 150);
});
afterAll(() => deps.close());

async function appWith(overrides: Record<string, string>) {
  const app = await buildTestApp({
    CART_PRICING_URL: deps.url,
    CART_CATALOG_URL: deps.url,
    CART_CATALOG_CACHE_SECONDS: '0',
    ...overrides,
  });
  const customerId = crypto.randomUUID();
  const auth = { authorization: bearer(app, customerId, ['customer']) };
  const cart = (
    await app.inject({ method: 'POST', url: '/carts', headers: auth, payload: { region: 'eu-west' } })
  ).json();
  const add = () =>
    app.inject({
      method: 'POST',
      url: `/carts/${cart.id}/items`,
      headers: auth,
      payload: { sku: 'APPLE-1', quantity: 1 },
    });
  const lines = async () =>
    (await app.inject({ method: 'GET', url: `/carts/${cart.id}`, headers: auth })).json().lines;
  return { app, auth, cart, add, lines };
}

describe('pricing down', () => {
  it('answers 503 problem+json naming pricing when nothing listens, and writes no line', async () => {
    const { app, add, lines } = await appWith({ CART_PRICING_URL: `http://127.0.0.1:${await closedPort()}` });
    try {
      const res = await add();
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.json()).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', dependency: 'pricing' });
      expect(await lines()).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('gives up on a pricing that does not answer within the timeout, retries included', async () => {
    const { app, add, lines } = await appWith({
      CART_DEPENDENCY_TIMEOUT_MS: '200',
      CART_DEPENDENCY_ATTEMPTS: '2',
    });
    deps.delayMs = 1500;
    try {
      const started = performance.now();
      const res = await add();
      const elapsed = performance.now() - started;
      expect(res.statusCode).toBe(503);
      expect(res.json().detail).toMatch(/no answer in time/);
      // catalog (2 × 200 ms + backoff) fails first; the bound holds without waiting for the slow answers
      expect(elapsed).toBeLessThan(1500);
      expect(await lines()).toEqual([]);
    } finally {
      deps.delayMs = 0;
      await app.close();
    }
  });

  it('retries an idempotent call that failed once and succeeds', async () => {
    const { app, add } = await appWith({ CART_DEPENDENCY_ATTEMPTS: '3' });
    try {
      deps.failNext = 1; // the catalog lookup's first attempt
      const before = deps.requests;
      const res = await add();
      expect(res.statusCode).toBe(201);
      expect(deps.requests - before).toBe(3); // catalog twice, pricing once
    } finally {
      await app.close();
    }
  });

  it('opens the circuit after repeated failures, fails fast, and closes again when pricing is back', async () => {
    const { app, add, lines } = await appWith({
      CART_DEPENDENCY_ATTEMPTS: '1',
      CART_BREAKER_FAILURES: '3',
      CART_BREAKER_HALF_OPEN_MS: '500',
    });
    try {
      deps.failWith = 503;
      for (let i = 0; i < 3; i++) expect((await add()).statusCode).toBe(503);
      const before = deps.requests;
      const fast = await add();
      expect(fast.statusCode).toBe(503);
      expect(fast.json().detail).toMatch(/circuit open/);
      expect(deps.requests).toBe(before); // nothing was sent while the circuit was open
      const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/cart_dependency_circuit_open\{[^}]*dependency="catalog"[^}]*\} 1/);
      deps.failWith = undefined;
      await new Promise((r) => setTimeout(r, 600));
      expect((await add()).statusCode).toBe(201);
      expect(await lines()).toHaveLength(1);
    } finally {
      deps.failWith = undefined;
      await app.close();
    }
  });
});

describe('catalog lookups', () => {
  it('reuses a product found for a few seconds, but asks again for an unknown SKU', async () => {
    const { app, add, auth, cart } = await appWith({ CART_CATALOG_CACHE_SECONDS: '30' });
    try {
      expect((await add()).statusCode).toBe(201);
      const before = deps.requests;
      expect((await add()).statusCode).toBe(201);
      expect(deps.requests - before).toBe(1); // the quote only
      const addNew = () =>
        app.inject({
          method: 'POST',
          url: `/carts/${cart.id}/items`,
          headers: auth,
          payload: { sku: 'LATE-1', quantity: 1 },
        });
      expect((await addNew()).statusCode).toBe(422);
      deps.products.set('LATE-1', { title: 'Late', status: 'active' });
      deps.prices.set('LATE-1', 10);
      expect((await addNew()).statusCode).toBe(201);
    } finally {
      await app.close();
    }
  });
});

describe('schema registry down', () => {
  it('refuses the change with 503 instead of committing it without its event', async () => {
    const { app, add, lines } = await appWith({
      SCHEMA_REGISTRY_URL: `http://127.0.0.1:${await closedPort()}`,
    });
    try {
      const res = await add();
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', dependency: 'schema-registry' });
      expect(await lines()).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe('Redis down', () => {
  it('keeps carts working from MariaDB and stays ready', async () => {
    const { app, add, lines, auth } = await appWith({
      CART_REDIS_URL: `redis://127.0.0.1:${await closedPort()}/0`,
    });
    try {
      expect((await add()).statusCode).toBe(201);
      expect(await lines()).toHaveLength(1);
      const created = await app.inject({
        method: 'POST',
        url: '/carts',
        headers: auth,
        payload: { region: 'us-east' },
      });
      expect(created.statusCode).toBe(201);
      const read = await app.inject({ method: 'GET', url: `/carts/${created.json().id}`, headers: auth });
      expect(read.headers['x-cart-source']).toBe('mariadb');
      const ready = await app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json().checks.find((c: { name: string }) => c.name === 'redis').ok).toBe(false);
    } finally {
      await app.close();
    }
  });
});

describe('Redis unreachable during a change', () => {
  it('drops the stale live copy when Redis is back, so reads see the change', async () => {
    const link = await forwarder(Number(new URL(stackEnv().CART_REDIS_URL!).port));
    const { app, add, lines, cart } = await appWith({ CART_REDIS_URL: `redis://127.0.0.1:${link.port}/0` });
    try {
      expect(await lines()).toEqual([]); // a live copy without lines is in Redis
      await link.cut();
      expect((await add()).statusCode).toBe(201); // committed to MariaDB; Redis missed it
      await link.restore();
      await waitFor(async () => (await app.redis.ping().catch(() => '')) === 'PONG', 10_000);
      await waitFor(async () => (await app.redis.exists(`cart:v1:${cart.id}`)) === 0, 5_000);
      expect(await lines()).toHaveLength(1);
    } finally {
      await app.close();
      await link.close();
    }
  });
});

describe('MariaDB down', () => {
  it('answers 503 problem+json, reports not ready, and recovers by itself', async () => {
    const url = new URL(stackEnv().CART_DATABASE_URL!);
    const link = await forwarder(Number(url.port));
    url.port = String(link.port);
    const { app, add, auth, cart } = await appWith({ CART_DATABASE_URL: url.toString() });
    try {
      await link.cut();
      const down = await add();
      expect(down.statusCode).toBe(503);
      expect(down.headers['content-type']).toMatch(/problem\+json/);
      expect(down.json().code).toBe('DEPENDENCY_UNAVAILABLE');
      const ready = await app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().failing).toEqual(['mysql']);
      // The live copy in Redis still answers reads.
      const read = await app.inject({ method: 'GET', url: `/carts/${cart.id}`, headers: auth });
      expect(read.statusCode).toBe(200);

      await link.restore();
      await waitFor(
        async () => (await app.inject({ method: 'GET', url: '/ready' })).statusCode === 200,
        10_000,
      );
      expect((await add()).statusCode).toBe(201);
    } finally {
      await app.close();
      await link.close();
    }
  });
});

const runMain = (env: NodeJS.ProcessEnv) => runServiceMain(serviceDir, env);

describe('process start and stop', () => {
  it('exits at start naming every missing or invalid variable', async () => {
    const env = stackEnv();
    delete env.CART_DATABASE_URL;
    const run = runMain({ ...env, CART_PORT: 'not-a-port', CART_DEPENDENCY_ATTEMPTS: '0' });
    expect(await run.exited).toBe(78);
    for (const name of ['CART_DATABASE_URL', 'CART_PORT', 'CART_DEPENDENCY_ATTEMPTS']) {
      expect(run.output().stderr).toContain(name);
    }
  });

  it('migrates, serves, and drains and exits 0 on SIGTERM', async () => {
    const port = await closedPort();
    const run = runMain({ ...stackEnv({ CART_PORT: String(port), LOG_LEVEL: 'info' }) });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/ready`)).ok, 20_000);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output().stdout).toContain('shutting down');
  });
});
