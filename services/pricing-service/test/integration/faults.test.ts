// Dependencies cut for real: PostgreSQL behind a TCP forwarder that drops every connection, and servers
// that are not there at all. The service answers 503 problem+json, never a crash, and recovers by itself.
import { parseConfig } from '@shop/common';
import { closedPort, forwarder, stackEnv, waitFor } from '@shop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { configSchema } from '../../src/config.js';
import { bearer, buildTestApp, createTestDatabase, type TestDatabase } from '../helper.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('nothing reachable', () => {
  it('builds and becomes ready to listen without any server: pools connect on first use', async () => {
    const nowhere = `127.0.0.1:${await closedPort()}`;
    const app = await buildApp(
      parseConfig(
        configSchema,
        stackEnv({
          PRICING_DATABASE_URL: `postgres://pricing:pricing-dev@${nowhere}/pricing`,
          SCHEMA_REGISTRY_URL: `http://${nowhere}`,
        }),
      ),
    );
    try {
      await app.ready();
      expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
      const ready = await app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().failing).toEqual(['postgres']);
    } finally {
      await app.close();
    }
  });
});

describe('PostgreSQL down', () => {
  it('answers 503 problem+json with Retry-After, reports not ready, and recovers by itself', async () => {
    const url = new URL(db.url);
    const link = await forwarder(Number(url.port));
    url.port = String(link.port);
    const app = await buildTestApp({ PRICING_DATABASE_URL: url.toString() });
    const admin = bearer(app, 'ops', ['admin']);
    const quote = () =>
      app.inject({
        method: 'POST',
        url: '/quotes',
        headers: bearer(app, 'cart-service', ['service']),
        payload: { region: 'eu-west', currency: 'EUR', lines: [{ sku: 'ANY-1', quantity: 1 }] },
      });
    try {
      expect((await quote()).json().code).toBe('NO_PRICE_BOOK');

      await link.cut();
      const down = await quote();
      expect(down.statusCode).toBe(503);
      expect(down.headers['content-type']).toMatch(/problem\+json/);
      expect(down.headers['retry-after']).toBeDefined();
      expect(down.json().code).toBe('DEPENDENCY_UNAVAILABLE');
      const write = await app.inject({
        method: 'POST',
        url: '/price-books',
        headers: admin,
        payload: { name: 'x', region: 'eu-west', currency: 'EUR' },
      });
      expect(write.statusCode).toBe(503);
      const ready = await app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().failing).toEqual(['postgres']);

      await link.restore();
      await waitFor(
        async () => (await app.inject({ method: 'GET', url: '/ready' })).statusCode === 200,
        10_000,
      );
      expect((await quote()).json().code).toBe('NO_PRICE_BOOK');
      const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM price_books');
      expect(rows[0].n).toBe(0);
    } finally {
      await app.close();
      await link.close();
    }
  });
});
