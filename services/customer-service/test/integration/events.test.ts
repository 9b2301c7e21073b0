import { randomUUID } from 'node:crypto';
import { createKafka } from '@shop/common';
import { createRegistry, decodeEvent } from '@shop/contracts';
import { stackEnv, waitFor } from '@shop/testing';
import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, bearer, buildTestApp, uniqueEmail } from '../helper.js';

// The whole path: HTTP → customers row + outbox row in one transaction → Debezium → Kafka → decoded
// through the registry. Needs the customer-outbox connector, which the stack registers once the service's
// migrations have created the outbox table (`pnpm stack bootstrap connect`).
const env = stackEnv();
const registry = createRegistry(env.SCHEMA_REGISTRY_URL!);
const seen = new Map<string, Array<{ topic: string; event: Record<string, unknown>; key: string }>>();
let app: App;
let consumer: Consumer;

beforeAll(async () => {
  app = await buildTestApp();
  const kafka = createKafka({
    brokers: [`${env.STACK_HOST}:${env.KAFKA_PORT}`],
    clientId: 'customer-events-test',
  });
  consumer = kafka.consumer({ groupId: `customer-events-test-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({
    topics: ['customer.registered.v1', 'customer.updated.v1'],
    fromBeginning: false,
  });
  let assigned = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    assigned = true;
  });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const event = (await decodeEvent(registry, message.value!)) as Record<string, unknown>;
      const id = String(event.aggregate_id);
      seen.set(id, [...(seen.get(id) ?? []), { topic, event, key: message.key!.toString() }]);
    },
  });
  await waitFor(() => assigned, 30_000);
}, 60_000);

afterAll(async () => {
  await consumer?.disconnect();
  await app?.close();
});

describe('customer events', () => {
  it('publishes customer.registered.v1 and customer.updated.v1 through the outbox, keyed by customer', async () => {
    const email = uniqueEmail('evt');
    const created = await app.inject({
      method: 'POST',
      url: '/customers',
      payload: { email, name: 'Eve', region: 'us-east' },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    const patched = await app.inject({
      method: 'PATCH',
      url: `/customers/${id}`,
      headers: { authorization: bearer(app, id, ['customer']) },
      payload: { name: 'Eve Renamed', region: 'us-east' },
    });
    expect(patched.statusCode).toBe(200);

    const events = await waitFor(
      () => ((seen.get(id)?.length ?? 0) >= 2 ? seen.get(id) : undefined),
      60_000,
      250,
    );
    expect(events.map((e) => e.topic)).toEqual(['customer.registered.v1', 'customer.updated.v1']);
    expect(events.every((e) => e.key === id)).toBe(true);
    expect(events[0]!.event).toMatchObject({ customer_id: id, email, name: 'Eve', region: 'us-east' });
    // Only the field that really changed is named; region was sent again unchanged.
    expect(events[1]!.event).toMatchObject({ name: 'Eve Renamed', changed_fields: ['name'] });
  }, 90_000);

  it('publishes nothing for a registration that was refused', async () => {
    const email = uniqueEmail('once');
    const first = await app.inject({
      method: 'POST',
      url: '/customers',
      payload: { email, name: 'A', region: 'eu-west' },
    });
    const second = await app.inject({
      method: 'POST',
      url: '/customers',
      payload: { email, name: 'B', region: 'eu-west' },
    });
    expect(second.statusCode).toBe(409);
    const id = first.json().id;
    await waitFor(() => seen.has(id), 60_000, 250);
    // A marker event written after the refused one: once it has arrived, the refused one would have too.
    const marker = (
      await app.inject({
        method: 'POST',
        url: '/customers',
        payload: { email: uniqueEmail('marker'), name: 'M', region: 'eu-west' },
      })
    ).json().id;
    await waitFor(() => seen.has(marker), 60_000, 250);
    const registeredWithEmail = [...seen.values()]
      .flat()
      .filter((e) => e.topic === 'customer.registered.v1' && e.event.email === email);
    expect(registeredWithEmail).toHaveLength(1);
    expect(registeredWithEmail[0]!.event.name).toBe('A');
  }, 90_000);
});
