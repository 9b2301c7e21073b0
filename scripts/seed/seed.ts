// `make seed`: development data through the services' own APIs, so every rule and (later) every event
// applies to it. Idempotent: each record carries a deterministic Idempotency-Key and a deterministic
// email, so a second run creates nothing and changes nothing.
import { regions } from '@shop/common';
import { stackEnv } from '@shop/testing';
import { SingleBar } from 'cli-progress';

const env = stackEnv();
const customerUrl = `http://${env.STACK_HOST}:${env.CUSTOMER_PORT}`;
const perRegion = Number(
  process.argv.find((a) => a.startsWith('--customers-per-region='))?.split('=')[1] ?? 100,
);
const firstNames = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tim'];
const lastNames = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Allen',
  'Thompson',
  'Perlman',
  'Lee',
];

async function call(method: string, url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return {
    status: res.status,
    replayed: res.headers.get('idempotent-replayed') === 'true',
    body: (await res.json()) as Record<string, unknown>,
  };
}

async function main(): Promise<void> {
  const ready = await fetch(`${customerUrl}/ready`).catch(() => undefined);
  if (!ready?.ok)
    throw new Error(`customer-service does not answer at ${customerUrl}/ready; run \`make up\` first`);
  const service = await call('POST', `${customerUrl}/auth/dev-token`, { role: 'service', subject: 'seed' });
  if (service.status !== 200)
    throw new Error(`could not get a service token: ${JSON.stringify(service.body)}`);
  const serviceAuth = { authorization: `Bearer ${service.body.token}` };

  const total = perRegion * regions.length;
  const bar = new SingleBar({
    format: 'customers [{bar}] {value}/{total} created {created} existing {existing}',
  });
  let created = 0;
  let existing = 0;
  bar.start(total, 0, { created, existing });
  for (let i = 0; i < total; i++) {
    const region = regions[i % regions.length]!;
    const name = `${firstNames[i % firstNames.length]} ${lastNames[Math.floor(i / firstNames.length) % lastNames.length]}`;
    const email = `seed-${String(i).padStart(4, '0')}@${region}.shop.example`;
    const res = await call(
      'POST',
      `${customerUrl}/customers`,
      { email, name, region },
      { 'idempotency-key': `seed-customer-${i}` },
    );
    if (res.status === 201 && !res.replayed) {
      created += 1;
      // A deterministic purchase history, recorded only when the customer was created by this run.
      const spend = [0, 4_500, 25_000, 180_000][i % 4]!;
      if (spend > 0) {
        const daysAgo = [3, 45, 200][i % 3]!;
        const purchase = await call(
          'POST',
          `${customerUrl}/customers/${res.body.id}/purchases`,
          { amountMinor: spend, occurredAt: new Date(Date.now() - daysAgo * 86_400_000).toISOString() },
          serviceAuth,
        );
        if (purchase.status !== 200)
          throw new Error(`purchase for ${email} failed: ${JSON.stringify(purchase.body)}`);
      }
    } else if (res.status === 201 || res.status === 409) {
      existing += 1;
    } else {
      bar.stop();
      throw new Error(`creating ${email} answered ${res.status}: ${JSON.stringify(res.body)}`);
    }
    bar.update(i + 1, { created, existing });
  }
  bar.stop();
  console.log(`customers: ${created} created, ${existing} already there, across ${regions.join(', ')}`);
  console.log(
    `tokens: POST ${customerUrl}/auth/dev-token with {"email":"seed-0000@eu-west.shop.example"} or {"role":"admin"}`,
  );
}

main().catch((err: unknown) => {
  console.error(`seed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
