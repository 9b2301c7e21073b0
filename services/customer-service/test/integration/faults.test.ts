import path from 'node:path';
import { closedPort, forwarder, runServiceMain, stackEnv, waitFor } from '@shop/testing';
import { describe, expect, it } from 'vitest';
import { bearer, buildTestApp, uniqueEmail } from '../helper.js';

const serviceDir = path.resolve(import.meta.dirname, '../..');

describe('Redis down', () => {
  it('serves reads from PostgreSQL and stays ready', async () => {
    const app = await buildTestApp({ CUSTOMER_REDIS_URL: `redis://127.0.0.1:${await closedPort()}/0` });
    try {
      const created = await app.inject({
        method: 'POST',
        url: '/customers',
        payload: { email: uniqueEmail('nocache'), name: 'N', region: 'eu-west' },
      });
      expect(created.statusCode).toBe(201);
      const id = created.json().id;
      const auth = { authorization: bearer(app, id, ['customer']) };
      for (let i = 0; i < 2; i++) {
        const res = await app.inject({ method: 'GET', url: `/customers/${id}`, headers: auth });
        expect(res.statusCode).toBe(200);
        expect(res.headers['x-cache']).toBe('miss');
      }
      const patched = await app.inject({
        method: 'PATCH',
        url: `/customers/${id}`,
        headers: auth,
        payload: { name: 'M' },
      });
      expect(patched.statusCode).toBe(200);
      const ready = await app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json().checks.find((c: { name: string }) => c.name === 'redis').ok).toBe(false);
    } finally {
      await app.close();
    }
  });
});

describe('PostgreSQL down', () => {
  it('answers 503 problem+json, reports not ready, and recovers by itself', async () => {
    const env = stackEnv();
    const url = new URL(env.CUSTOMER_DATABASE_URL!);
    const link = await forwarder(Number(url.port));
    url.port = String(link.port);
    const app = await buildTestApp({ CUSTOMER_DATABASE_URL: url.toString() });
    const admin = { authorization: bearer(app, 'ops', ['admin']) };
    try {
      expect(
        (await app.inject({ method: 'GET', url: '/customers?limit=1', headers: admin })).statusCode,
      ).toBe(200);

      await link.cut();
      const down = await app.inject({ method: 'GET', url: '/customers?limit=1', headers: admin });
      expect(down.statusCode).toBe(503);
      expect(down.headers['content-type']).toMatch(/problem\+json/);
      expect(down.json().code).toBe('DEPENDENCY_UNAVAILABLE');
      const write = await app.inject({
        method: 'POST',
        url: '/customers',
        payload: { email: uniqueEmail('down'), name: 'D', region: 'eu-west' },
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
      expect(
        (await app.inject({ method: 'GET', url: '/customers?limit=1', headers: admin })).statusCode,
      ).toBe(200);
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
    delete env.CUSTOMER_DATABASE_URL;
    const run = runMain({ ...env, CUSTOMER_PORT: 'not-a-port' });
    expect(await run.exited).toBe(78);
    expect(run.output().stderr).toContain('CUSTOMER_DATABASE_URL');
    expect(run.output().stderr).toContain('CUSTOMER_PORT');
  });

  it('drains and exits 0 on SIGTERM', async () => {
    const port = await closedPort();
    const run = runMain({ ...stackEnv({ CUSTOMER_PORT: String(port), LOG_LEVEL: 'info' }) });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, 20_000);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output().stdout).toContain('shutting down');
  });
});
