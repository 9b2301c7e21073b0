// The whole path over real servers: a rule change commits with its outbox row in the service's own
// database, the repository's pricing-outbox Debezium connector moves it to Kafka unchanged, and a reader
// decodes it through the registry. Uses the service's real database, because that is what the connector
// reads; the rules it creates target a SKU of their own and end disabled.
import { randomUUID } from 'node:crypto';
import { createKafka, headersToRecord } from '@shop/common';
import { createRegistry, decodeEvent, type PricingRuleChanged } from '@shop/contracts';
import { stackEnv, waitFor } from '@shop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, bearer, buildTestApp, uniqueSku } from '../helper.js';

const env = stackEnv();
const topic = 'pricing.rule.changed.v1';
const registry = createRegistry(env.SCHEMA_REGISTRY_URL!);
const kafka = createKafka({ brokers: [`${env.STACK_HOST}:${env.KAFKA_PORT}`], clientId: 'pricing-int-test' });
const consumer = kafka.consumer({ groupId: `pricing-int-test-${randomUUID()}` });
const received: { key: string; headers: Record<string, string>; event: PricingRuleChanged }[] = [];
let app: App;

beforeAll(async () => {
  app = await buildTestApp();
  const status = await fetch(`http://${env.STACK_HOST}:${env.CONNECT_PORT}/connectors/pricing-outbox/status`);
  if (status.status !== 200) {
    throw new Error('the pricing-outbox connector is not registered: run `pnpm stack bootstrap connect`');
  }
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      received.push({
        key: message.key?.toString() ?? '',
        headers: headersToRecord(message.headers),
        event: await decodeEvent(registry, message.value!, topic),
      });
    },
  });
}, 60_000);

afterAll(async () => {
  await consumer.disconnect();
  await app?.close();
});

describe('pricing.rule.changed.v1 on Kafka', () => {
  it('carries created, updated and deleted for one rule, in order, keyed by the rule, with the outbox headers', async () => {
    const admin = bearer(app, 'admin-1', ['admin']);
    const created = await app.inject({
      method: 'POST',
      url: '/rules',
      headers: admin,
      payload: {
        name: 'E2E',
        region: 'ap-south',
        type: 'amount_off',
        amountMinor: 1000,
        currency: 'INR',
        match: { sku: uniqueSku('E2E') },
      },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    await app.inject({
      method: 'PATCH',
      url: `/rules/${id}`,
      headers: admin,
      payload: { amountMinor: 1500 },
    });
    await app.inject({ method: 'DELETE', url: `/rules/${id}`, headers: admin });

    const mine = received.filter((m) => m.key === id);
    await waitFor(() => {
      mine.splice(0, mine.length, ...received.filter((m) => m.key === id));
      return mine.length >= 3;
    }, 45_000);
    expect(mine.map((m) => [m.event.change, m.event.revision, m.event.amount_minor])).toEqual([
      ['created', 1, 1000],
      ['updated', 2, 1500],
      ['deleted', 3, 1500],
    ]);
    for (const m of mine) {
      expect(m.event).toMatchObject({ rule_id: id, aggregate_id: id, region: 'ap-south', currency: 'INR' });
      expect(m.headers).toMatchObject({
        event_id: m.event.event_id,
        region: 'ap-south',
        aggregate_type: 'price-rule',
      });
    }
  }, 60_000);
});
