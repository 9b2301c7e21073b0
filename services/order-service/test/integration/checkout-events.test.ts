import { randomUUID } from 'node:crypto';
import { type ConsumerHandle, createKafka, eventHeaders, parseConfig } from '@shop/common';
import { type CartCheckedout, createRegistry, encodeEvent } from '@shop/contracts';
import { stackEnv, waitFor } from '@shop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config.js';
import { checkedOutTopic, startCheckoutConsumer } from '../../src/events/cart-checkout-consumer.js';
import { type App, buildTestApp } from '../helper.js';

// Orders from cart.checkedout.v1 through the real broker and registry. A running order-service in the same
// consumer group may take the messages instead of this test's consumer; either writes to the same database,
// which is what is asserted.
const config = parseConfig(configSchema, stackEnv());
const kafka = createKafka({ brokers: config.ORDER_KAFKA_BROKERS.split(','), clientId: 'order-events-test' });
const registry = createRegistry(config.SCHEMA_REGISTRY_URL);

let app: App;
let consumer: ConsumerHandle;

beforeAll(async () => {
  app = await buildTestApp();
  consumer = await startCheckoutConsumer(app, {
    brokers: config.ORDER_KAFKA_BROKERS,
    registryUrl: config.SCHEMA_REGISTRY_URL,
    saga: { mode: 'fixed', ttlSeconds: 60 },
  });
});
afterAll(async () => {
  await consumer?.stop();
  await app?.close();
});

function checkout(cartId: string, customerId: string): CartCheckedout {
  return {
    event_id: randomUUID(),
    occurred_at: Date.now(),
    aggregate_id: cartId,
    region: 'ap-south',
    cart_id: cartId,
    checkout_id: `checkout-${cartId}`,
    customer_id: customerId,
    currency: 'INR',
    subtotal_minor: 90_000,
    item_count: 3,
    difference_minor: 0,
    lines: [{ sku: 'SKU-EVT-1', quantity: 3, unit_price_minor: 30_000, quote_id: 'q-1' }],
  };
}

describe('cart.checkedout.v1', () => {
  it('creates one order per cart, whether the event is redelivered or the cart checked out twice', async () => {
    const cartId = `cart-${randomUUID()}`;
    const customerId = randomUUID();
    const first = checkout(cartId, customerId);
    const second = { ...checkout(cartId, customerId), event_id: randomUUID() };
    const producer = kafka.producer();
    await producer.connect();
    try {
      const message = async (event: CartCheckedout) => ({
        key: cartId,
        value: await encodeEvent(registry, checkedOutTopic, event),
        // The headers Debezium's outbox router sets; consumers de-duplicate on event_id.
        headers: {
          [eventHeaders.eventId]: event.event_id,
          [eventHeaders.aggregateType]: 'cart',
          [eventHeaders.region]: event.region,
          [eventHeaders.occurredAt]: new Date(event.occurred_at).toISOString(),
        },
      });
      // The same event twice (a redelivery) and a second checkout event of the same cart.
      await producer.send({
        topic: checkedOutTopic,
        messages: [await message(first), await message(first), await message(second)],
      });
    } finally {
      await producer.disconnect();
    }
    const processed = await waitFor(
      async () => {
        const [rows] = await app.mysql.query(
          'SELECT COUNT(*) AS n FROM processed_events WHERE event_id IN (?, ?)',
          [first.event_id, second.event_id],
        );
        return (rows as { n: number }[])[0]?.n === 2;
      },
      50_000,
      250,
    );
    expect(processed).toBe(true);
    const [orders] = await app.mysql.query(
      'SELECT customer_id, region, currency, total_minor FROM orders WHERE cart_id = ?',
      [cartId],
    );
    expect(orders).toEqual([
      { customer_id: customerId, region: 'ap-south', currency: 'INR', total_minor: 90_000 },
    ]);
  });
});
