// The events as consumers see them: written to the outbox, moved by Debezium's cart-outbox connector to
// Kafka, decoded with the registry. Needs the connector registered (`pnpm stack bootstrap connect`).
import { randomUUID } from 'node:crypto';
import { createKafka } from '@shop/common';
import { createRegistry, decodeEvent } from '@shop/contracts';
import { stackEnv, waitFor } from '@shop/testing';
import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCartApp } from './fixture.js';

const fx = useCartApp();
const env = stackEnv();
const registry = createRegistry(env.SCHEMA_REGISTRY_URL!);
const kafka = createKafka({ brokers: [`127.0.0.1:${env.KAFKA_PORT}`], clientId: 'cart-events-test' });
const seen: Array<{ topic: string; key: string; headers: Record<string, string>; value: Buffer }> = [];
let consumer: Consumer;

beforeAll(async () => {
  consumer = kafka.consumer({ groupId: `cart-events-test-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: ['cart.item.added.v1', 'cart.checkedout.v1'], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const headers = Object.fromEntries(
        Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
      );
      seen.push({ topic, key: String(message.key), headers, value: message.value! });
    },
  });
}, 60_000);
afterAll(() => consumer?.disconnect());

function forCart(topic: string, cartId: string) {
  return seen.filter((m) => m.topic === topic && m.key === cartId);
}

describe('events through the outbox', () => {
  it('publishes cart.item.added.v1 and cart.checkedout.v1 once each, keyed by cart, with the headers', async () => {
    const { id: customerId, auth } = fx.customer();
    const cart = await fx.customerCart(auth, 'us-east');
    const added = await fx.add(cart.id, auth, { sku: 'APPLE-1', quantity: 3 });
    expect(added.statusCode).toBe(201);
    const checkout = await fx.app.inject({
      method: 'POST',
      url: `/carts/${cart.id}/checkout`,
      headers: auth,
    });
    expect(checkout.statusCode).toBe(200);
    await fx.app.inject({ method: 'POST', url: `/carts/${cart.id}/checkout`, headers: auth }); // a replay

    await waitFor(() => forCart('cart.checkedout.v1', cart.id).length > 0, 45_000);
    await new Promise((r) => setTimeout(r, 1000)); // time for a duplicate to show, if there were one
    const [itemMessage] = forCart('cart.item.added.v1', cart.id);
    expect(forCart('cart.item.added.v1', cart.id)).toHaveLength(1);
    expect(forCart('cart.checkedout.v1', cart.id)).toHaveLength(1);

    const item = await decodeEvent(registry, itemMessage!.value, 'cart.item.added.v1');
    expect(item).toMatchObject({
      aggregate_id: cart.id,
      cart_id: cart.id,
      customer_id: customerId,
      region: 'us-east',
      sku: 'APPLE-1',
      quantity_added: 3,
      line_quantity: 3,
      unit_price_minor: 150,
      currency: 'USD',
      quote_id: added.json().lines[0].quoteId,
      rules_applied: ['base-price'],
    });
    expect(itemMessage!.headers).toMatchObject({ event_id: item.event_id, region: 'us-east' });

    const done = await decodeEvent(
      registry,
      forCart('cart.checkedout.v1', cart.id)[0]!.value,
      'cart.checkedout.v1',
    );
    expect(done).toMatchObject({
      cart_id: cart.id,
      checkout_id: checkout.json().checkoutId,
      customer_id: customerId,
      currency: 'USD',
      subtotal_minor: 450,
      item_count: 3,
      difference_minor: 0,
      lines: [{ sku: 'APPLE-1', quantity: 3, unit_price_minor: 150 }],
    });
  }, 60_000);

  it('publishes nothing for a change that was refused', async () => {
    const { auth } = fx.customer();
    const cart = await fx.customerCart(auth);
    expect((await fx.add(cart.id, auth, { sku: 'OLD-1', quantity: 1 })).statusCode).toBe(422);
    const [row] = await fx.rows('SELECT COUNT(*) AS n FROM outbox_events WHERE aggregateid = ?', [cart.id]);
    expect(Number(row!.n)).toBe(0);
  });
});
