import { randomUUID } from 'node:crypto';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { createKafka } from '@shop/common';
import { waitFor } from '@shop/testing';
import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, bearer, buildTestApp, testConfig, uniqueSku } from '../helper.js';

let app: App;
let consumer: Consumer;
const seen: {
  topic: string;
  key: string;
  headers: Record<string, string>;
  value: Record<string, unknown>;
}[] = [];

beforeAll(async () => {
  const config = testConfig();
  app = await buildTestApp();
  await app.startWorkers();
  const registry = new SchemaRegistry({ host: config.INVENTORY_SCHEMA_REGISTRY_URL });
  consumer = createKafka({
    brokers: config.INVENTORY_KAFKA_BROKERS.split(','),
    clientId: 'inventory-test',
  }).consumer({
    groupId: `inventory-test-${randomUUID()}`,
  });
  await consumer.connect();
  await consumer.subscribe({
    topics: ['inventory.reserved.v1', 'inventory.committed.v1', 'inventory.stock.adjusted.v1'],
    fromBeginning: true,
  });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      if (!message.value) return;
      const headers = Object.fromEntries(
        Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
      );
      seen.push({
        topic,
        key: String(message.key),
        headers,
        value: (await registry.decode(message.value)) as Record<string, unknown>,
      });
    },
  });
});
afterAll(async () => {
  await consumer?.disconnect();
  await app?.close();
});

describe('events through the outbox relay', () => {
  it('publishes stock.adjusted, reserved and committed to Kafka, decodable with the registry', async () => {
    const admin = bearer(app, 'ops', ['admin']);
    const service = bearer(app, 'order-service', ['service']);
    const sku = uniqueSku('events');
    const adjusted = await app.inject({
      method: 'POST',
      url: '/stock/adjustments',
      headers: { authorization: admin },
      payload: { sku, warehouseId: 'wh-ap', region: 'ap-south', delta: 4, reason: 'received' },
    });
    expect(adjusted.statusCode).toBe(200);
    const orderId = randomUUID();
    const reserved = await app.inject({
      method: 'POST',
      url: '/reservations',
      headers: { authorization: service },
      payload: { orderId, sku, region: 'ap-south', quantity: 3 },
    });
    const id = reserved.json().id as string;
    const committed = await app.inject({
      method: 'POST',
      url: `/reservations/${id}/commit?check=true`,
      headers: { authorization: service },
    });
    expect(committed.statusCode).toBe(200);

    await waitFor(
      () =>
        seen.some((m) => m.topic === 'inventory.committed.v1' && m.key === id) &&
        seen.some((m) => m.topic === 'inventory.stock.adjusted.v1' && m.key === sku),
      40_000,
      200,
    );
    const reservedEvent = seen.find((m) => m.topic === 'inventory.reserved.v1' && m.key === id);
    expect(reservedEvent?.value).toMatchObject({
      aggregate_id: id,
      reservation_id: id,
      order_id: orderId,
      sku,
      region: 'ap-south',
      warehouse_id: 'wh-ap',
      quantity: 3,
    });
    expect(reservedEvent?.headers.event_id).toBe(reservedEvent?.value.event_id);
    expect(reservedEvent?.headers.region).toBe('ap-south');
    const committedEvent = seen.find((m) => m.topic === 'inventory.committed.v1' && m.key === id);
    expect(committedEvent?.value).toMatchObject({ sku, quantity: 3, after_expiry: false });
    const adjustedEvent = seen.find((m) => m.topic === 'inventory.stock.adjusted.v1' && m.key === sku);
    expect(adjustedEvent?.value).toMatchObject({
      sku,
      warehouse_id: 'wh-ap',
      delta: 4,
      on_hand: 4,
      available: 4,
      reason: 'received',
    });
  });
});
