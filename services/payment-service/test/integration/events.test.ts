import { randomUUID } from 'node:crypto';
import { createKafka } from '@shop/common';
import { createRegistry, decodeEvent } from '@shop/contracts';
import { stackEnv, waitFor } from '@shop/testing';
import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, authorizeBody, bearer, buildTestApp } from '../helper.js';

// The whole path: HTTP → payment row, journal and outbox row in one transaction → Debezium → Kafka → decoded
// through the registry. Needs the payment-outbox connector, which the stack registers once the service's
// migrations have created the outbox table (`pnpm stack bootstrap connect`).
const env = stackEnv();
const registry = createRegistry(env.PAYMENT_SCHEMA_REGISTRY_URL!);
const topics = [
  'payment.authorized.v1',
  'payment.failed.v1',
  'payment.captured.v1',
  'payment.voided.v1',
  'payment.refunded.v1',
];
type Seen = { topic: string; event: Record<string, unknown>; key: string };
const seen = new Map<string, Seen[]>();
let app: App;
let consumer: Consumer;
let service: { authorization: string };

beforeAll(async () => {
  app = await buildTestApp();
  service = { authorization: bearer(app, 'order-service', ['service']) };
  const kafka = createKafka({
    brokers: [`${env.STACK_HOST}:${env.KAFKA_PORT}`],
    clientId: 'payment-events-test',
  });
  consumer = kafka.consumer({ groupId: `payment-events-test-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: false });
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

/** The events of one payment once `count` of them have arrived. */
async function eventsOf(id: string, count: number): Promise<Seen[]> {
  await waitFor(() => (seen.get(id)?.length ?? 0) >= count, 60_000);
  return seen.get(id) ?? [];
}

function post(url: string, payload?: unknown) {
  return app.inject({ method: 'POST', url, headers: service, ...(payload ? { payload } : {}) });
}

describe('payment events', () => {
  it('publishes authorized, captured and refunded, keyed by payment, decoded with the registry', async () => {
    const body = authorizeBody({ amountMinor: 2_500, region: 'ap-south', currency: 'INR' });
    const payment = (await post('/payments/authorize', body)).json();
    expect((await post(`/payments/${payment.id}/capture`)).statusCode).toBe(200);
    expect(
      (await post(`/payments/${payment.id}/refund`, { amountMinor: 1_000, reason: 'damaged' })).statusCode,
    ).toBe(201);
    const events = await eventsOf(payment.id, 3);
    // Three topics: Kafka orders within a partition, not across topics, so arrival order is not asserted.
    const byTopic = (topic: string) => events.find((e) => e.topic === topic)!;
    expect(events.map((e) => e.topic).sort()).toEqual([
      'payment.authorized.v1',
      'payment.captured.v1',
      'payment.refunded.v1',
    ]);
    for (const e of events) {
      expect(e.key).toBe(payment.id);
      expect(e.event).toMatchObject({
        payment_id: payment.id,
        order_id: body.orderId,
        customer_id: body.customerId,
        region: 'ap-south',
        currency: 'INR',
      });
    }
    expect(byTopic('payment.authorized.v1').event).toMatchObject({
      amount_minor: 2_500,
      psp_reference: payment.pspReference,
    });
    expect(byTopic('payment.refunded.v1').event).toMatchObject({
      amount_minor: 1_000,
      refunded_total_minor: 1_000,
      reason: 'damaged',
    });
  }, 90_000);

  it('publishes payment.failed for a decline and payment.voided for a void', async () => {
    const declined = await post('/payments/authorize', authorizeBody({ psp: { behaviour: 'decline' } }));
    expect(declined.statusCode).toBe(402);
    const declinedId = declined.json().paymentId;
    const authorized = (await post('/payments/authorize', authorizeBody())).json();
    expect((await post(`/payments/${authorized.id}/void`, { reason: 'inventory_expired' })).statusCode).toBe(
      200,
    );
    const failed = await eventsOf(declinedId, 1);
    expect(failed[0]).toMatchObject({
      topic: 'payment.failed.v1',
      event: { operation: 'authorize', reason: 'declined', retryable: false },
    });
    const voided = await eventsOf(authorized.id, 2);
    expect(voided.map((e) => e.topic).sort()).toEqual(['payment.authorized.v1', 'payment.voided.v1']);
    expect(voided.find((e) => e.topic === 'payment.voided.v1')!.event).toMatchObject({
      reason: 'inventory_expired',
      amount_minor: authorized.amountMinor,
    });
  }, 90_000);
});
