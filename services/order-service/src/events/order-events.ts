// What order-service publishes: `order.created.v1` and `order.status.changed.v1`, written to the outbox in
// the transaction of the change (Debezium's order-outbox connector moves them to Kafka). The only module
// that knows the events' shape; the types are generated from schema-contracts/*.avsc.
import { randomUUID } from 'node:crypto';
import { createEventEncoder, type EventEncoder, type MysqlQueryable, writeOutboxMysql } from '@shop/common';
import type { OrderCreated, OrderStatusChanged } from '@shop/contracts';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { contractStatus, type Order, type OrderStatus } from '../domain/order.js';

export const topics = {
  created: 'order.created.v1',
  statusChanged: 'order.status.changed.v1',
} as const;

/** The Avro record of `order.created.v1`. */
export function createdRecord(order: Order, eventId: string, occurredAt: Date): OrderCreated {
  return {
    event_id: eventId,
    occurred_at: occurredAt.getTime(),
    aggregate_id: order.id,
    region: order.region,
    order_id: order.id,
    customer_id: order.customerId,
    checkout_id: order.checkoutId,
    lines: order.lines.map((l) => ({
      sku: l.sku,
      quantity: l.quantity,
      unit_price_minor: l.unitPriceMinor,
      line_total_minor: l.lineTotalMinor,
    })),
    subtotal_minor: order.subtotalMinor,
    shipping_minor: 0,
    tax_minor: 0,
    total_minor: order.totalMinor,
    currency: order.currency,
  };
}

/** The Avro record of `order.status.changed.v1`. */
export function statusChangedRecord(
  order: Pick<Order, 'id' | 'customerId' | 'region'>,
  from: OrderStatus,
  to: OrderStatus,
  reason: string | null,
  eventId: string,
  occurredAt: Date,
): OrderStatusChanged {
  return {
    event_id: eventId,
    occurred_at: occurredAt.getTime(),
    aggregate_id: order.id,
    region: order.region,
    order_id: order.id,
    customer_id: order.customerId,
    from_status: contractStatus[from],
    to_status: contractStatus[to],
    reason,
  };
}

/** Writes order events through the connection holding the caller's transaction. */
export interface OrderEventWriter {
  created(conn: MysqlQueryable, order: Order): Promise<void>;
  statusChanged(
    conn: MysqlQueryable,
    order: Pick<Order, 'id' | 'customerId' | 'region'>,
    from: OrderStatus,
    to: OrderStatus,
    reason: string | null,
  ): Promise<void>;
}

export function createOrderEventWriter(encode: EventEncoder): OrderEventWriter {
  return {
    async created(conn, order) {
      const eventId = randomUUID();
      const occurredAt = new Date();
      await writeOutboxMysql(conn, {
        topic: topics.created,
        aggregateType: 'order',
        aggregateId: order.id,
        region: order.region,
        eventId,
        occurredAt,
        payload: await encode(topics.created, createdRecord(order, eventId, occurredAt)),
      });
    },
    async statusChanged(conn, order, from, to, reason) {
      const eventId = randomUUID();
      const occurredAt = new Date();
      await writeOutboxMysql(conn, {
        topic: topics.statusChanged,
        aggregateType: 'order',
        aggregateId: order.id,
        region: order.region,
        eventId,
        occurredAt,
        payload: await encode(
          topics.statusChanged,
          statusChangedRecord(order, from, to, reason, eventId, occurredAt),
        ),
      });
    },
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    orderEvents: OrderEventWriter;
  }
}

/** `app.orderEvents`. Nothing is fetched from the registry until the first event is written. */
export const orderEventsPlugin = fp(
  async (app: FastifyInstance, options: { registryUrl: string }) => {
    app.decorate('orderEvents', createOrderEventWriter(createEventEncoder(options.registryUrl)));
  },
  { name: 'order-events' },
);
