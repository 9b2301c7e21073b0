// Prometheus and the Pushgateway as scenarios use them: figures pushed to the gateway come back through
// Prometheus' query API after a scrape, and every service has its scrape job.
// Needs `pnpm stack up prometheus pushgateway`.
import { afterAll, describe, expect, it } from 'vitest';
import { loadStackEnv } from '../../scripts/stack/env.js';

const env = loadStackEnv();
const prometheus = `http://${env.STACK_HOST}:${env.PROMETHEUS_PORT}`;
const pushgateway = `http://${env.STACK_HOST}:${env.PUSHGATEWAY_PORT}`;
const services = [
  'customer',
  'catalog',
  'pricing',
  'cart',
  'order',
  'payment',
  'inventory',
  'fulfillment',
  'support',
  'notification',
  'fraud',
  'recommendation',
];

interface QueryResult {
  status: string;
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

interface TargetsResult {
  data: { activeTargets: { labels: Record<string, string>; scrapeUrl: string }[] };
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

describe('prometheus and pushgateway', () => {
  const group = `${pushgateway}/metrics/job/stack_test/instance/run_${Date.now()}`;

  afterAll(async () => {
    await fetch(group, { method: 'DELETE' }).catch(() => undefined);
  });

  it('answers ready on both', async () => {
    expect((await fetch(`${prometheus}/-/ready`)).status).toBe(200);
    expect((await fetch(`${pushgateway}/-/ready`)).status).toBe(200);
  });

  it('queries back a pushed metric after a scrape, with the pushed labels kept', async () => {
    const value = Math.round(Math.random() * 1e6);
    const push = await fetch(group, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain; version=0.0.4' },
      body: `# TYPE stack_test_figure gauge\nstack_test_figure{scenario="oversell"} ${value}\n`,
    });
    expect(push.status).toBe(200);

    const query = encodeURIComponent('stack_test_figure{job="stack_test",scenario="oversell"}');
    const deadline = Date.now() + 30_000;
    let seen: string | undefined;
    while (Date.now() < deadline && seen !== String(value)) {
      const body = await getJson<QueryResult>(`${prometheus}/api/v1/query?query=${query}`);
      seen = body.data.result[0]?.value[1];
      if (seen !== String(value)) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(seen).toBe(String(value));
  });

  it('has a scrape job per service, labelled with its name, on its port', async () => {
    const body = await getJson<TargetsResult>(`${prometheus}/api/v1/targets?state=active`);
    for (const [i, name] of services.entries()) {
      const target = body.data.activeTargets.find((t) => t.labels.job === name);
      expect(target, `job ${name}`).toBeDefined();
      expect(target!.labels.service).toBe(name);
      const port = env[`${name.toUpperCase()}_PORT`] ?? String(3001 + i);
      expect(target!.scrapeUrl).toBe(`http://${env.STACK_HOST}:${port}/metrics`);
    }
    expect(body.data.activeTargets.map((t) => t.labels.job)).toEqual(
      expect.arrayContaining(['prometheus', 'pushgateway']),
    );
  });
});
