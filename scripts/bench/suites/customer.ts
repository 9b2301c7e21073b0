// `pnpm bench customer`: GET /customers/{id} served from the cache, against a bare Fastify hello-world; once
// from the stack's customer-service (telemetry preloaded, as deployed) and once from a second instance of the
// same build started here without the OpenTelemetry preload, to show what tracing costs.
import path from 'node:path';
import { closedPort, runServiceMain, waitFor } from '@shop/testing';
import { env, type Figure, load, startBaseline } from '../lib.js';

export default async function customerSuite(): Promise<Figure[]> {
  const base = `http://${env.STACK_HOST}:${env.CUSTOMER_PORT}`;
  const ready = await fetch(`${base}/ready`).catch(() => undefined);
  if (!ready?.ok) throw new Error(`customer-service is not running at ${base}; run \`make up\``);
  const email = 'bench-customer@bench.shop.example';
  const created = await fetch(`${base}/customers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': 'bench-customer' },
    body: JSON.stringify({ email, name: 'Bench', region: 'eu-west' }),
  });
  if (created.status !== 201 && created.status !== 409)
    throw new Error(`could not create the bench customer: ${created.status}`);
  const token = (await (
    await fetch(`${base}/auth/dev-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
    })
  ).json()) as { token: string; subject: string };
  const headers = { authorization: `Bearer ${token.token}` };
  const url = `${base}/customers/${token.subject}`;
  const first = await fetch(url, { headers });
  if (!first.ok) throw new Error(`GET ${url} answered ${first.status}`);

  const port = await closedPort();
  const untraced = runServiceMain(path.join(import.meta.dirname, '../../../services/customer-service'), {
    ...env,
    CUSTOMER_PORT: String(port),
  });
  const untracedBase = `http://${env.STACK_HOST}:${port}`;
  const baseline = await startBaseline();
  try {
    await waitFor(async () => (await fetch(`${untracedBase}/ready`).catch(() => undefined))?.ok, 30_000);
    const bare = await load('bare Fastify hello-world', baseline.url);
    const cached = await load('GET /customers/{id} (cache hit)', url, headers);
    const plain = await load(
      'same, without the telemetry preload',
      `${untracedBase}/customers/${token.subject}`,
      headers,
    );
    return [bare, cached, plain];
  } finally {
    baseline.child.kill();
    untraced.child.kill();
  }
}
