// What customer-service publishes: `customer.registered.v1` and `customer.updated.v1`, written to the
// outbox in the transaction of the change; Debezium's customer-outbox connector moves them to Kafka.
import { randomUUID } from 'node:crypto';
import { type EventEncoder, type PgQueryable, writeOutboxPg } from '@shop/common';
import type { Customer } from '../domain/customer.js';

export const topics = { registered: 'customer.registered.v1', updated: 'customer.updated.v1' } as const;

/** Profile fields a `customer.updated.v1` can name in `changed_fields`. */
export type ProfileField = 'email' | 'name' | 'region';

/** Writes customer events through the client that holds the caller's transaction. */
export function createCustomerEvents(encode: EventEncoder) {
  return {
    /** A new customer, as registered. */
    async registered(client: PgQueryable, customer: Customer): Promise<string> {
      const eventId = randomUUID();
      const occurredAt = new Date(customer.createdAt);
      const payload = await encode(topics.registered, {
        event_id: eventId,
        occurred_at: occurredAt.getTime(),
        aggregate_id: customer.id,
        region: customer.region,
        customer_id: customer.id,
        email: customer.email,
        name: customer.name,
      });
      return writeOutboxPg(client, {
        topic: topics.registered,
        aggregateType: 'customer',
        aggregateId: customer.id,
        region: customer.region,
        payload,
        eventId,
        occurredAt,
      });
    },
    /** The profile as it is after a change, naming the fields that changed. */
    async updated(client: PgQueryable, customer: Customer, changed: ProfileField[]): Promise<string> {
      const eventId = randomUUID();
      const occurredAt = new Date(customer.updatedAt);
      const payload = await encode(topics.updated, {
        event_id: eventId,
        occurred_at: occurredAt.getTime(),
        aggregate_id: customer.id,
        region: customer.region,
        customer_id: customer.id,
        email: customer.email,
        name: customer.name,
        changed_fields: changed,
      });
      return writeOutboxPg(client, {
        topic: topics.updated,
        aggregateType: 'customer',
        aggregateId: customer.id,
        region: customer.region,
        payload,
        eventId,
        occurredAt,
      });
    },
  };
}

export type CustomerEvents = ReturnType<typeof createCustomerEvents>;
