import { afterAll, describe, expect, it } from 'vitest';
import { createService, runChecks } from '../src/index.js';
import { buildTestApp, testConfig, testErrors } from './helper.js';

describe('runChecks', () => {
  it('reports a check that does not answer in time as failing', async () => {
    const results = await runChecks(
      [
        { name: 'fast', check: async () => 1 },
        { name: 'slow', check: () => new Promise((r) => setTimeout(r, 500)) },
      ],
      50,
    );
    expect(results.map((r) => [r.name, r.ok])).toEqual([
      ['fast', true],
      ['slow', false],
    ]);
    expect(results[1]!.error).toMatch(/within 50 ms/);
  });
});

describe('GET /ready', () => {
  const apps: { close(): Promise<unknown> }[] = [];
  afterAll(() => Promise.all(apps.map((a) => a.close())));

  it('answers 503 naming the failing dependency, ignoring optional ones', async () => {
    const app = await createService({ name: 'ready', config: testConfig, errors: testErrors });
    apps.push(app);
    app.addReadinessCheck({
      name: 'postgres',
      check: async () => {
        throw new Error('down');
      },
    });
    app.addReadinessCheck({
      name: 'redis',
      optional: true,
      check: async () => {
        throw new Error('down');
      },
    });
    await app.ready();
    const res = await app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json().failing).toEqual(['postgres']);
  });

  it('answers 200 when every required dependency answers', async () => {
    const app = await createService({ name: 'ready2', config: testConfig, errors: testErrors });
    apps.push(app);
    app.addReadinessCheck({ name: 'postgres', check: async () => 1 });
    await app.ready();
    const res = await app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
  });
});

describe('GET /metrics', () => {
  it('exposes the HTTP histogram by route template, not by URL', async () => {
    const app = await buildTestApp();
    await app.inject({ method: 'GET', url: '/widgets/6f1c1c4e-8f1e-4c1a-9a4f-1d2b3c4d5e6f' });
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    await app.close();
    expect(text).toMatch(
      /http_request_duration_seconds_count\{[^}]*route="\/widgets\/:id",method="GET",status_code="404"[^}]*\} 1/,
    );
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).not.toContain('6f1c1c4e');
  });
});

describe('GET /docs', () => {
  it('serves an OpenAPI 3.1 document listing the routes', async () => {
    const app = await buildTestApp();
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    await app.close();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/widgets/{id}');
    expect(Object.keys(doc.paths)).not.toContain('/metrics');
  });
});
