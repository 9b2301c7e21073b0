// What payment-service publishes: payment.authorized|failed|captured|voided|refunded.v1, written to the outbox
// in the transaction of the change; Debezium's payment-outbox connector moves them to Kafka.
import { randomUUID } from 'node:crypto';
import { type EventEncoder, type PgQueryable, writeOutboxPg } from '@shop/common';
import type { EventOf, Topic } from '@shop/contracts';
import type { Payment } from '../domain/payment.js';
import type { DeclineReason } from '../psp/mock-psp.js';

export const topics = {
  authorized: 'payment.authorized.v1',
  failed: 'payment.failed.v1',
  captured: 'payment.captured.v1',
  voided: 'payment.voided.v1',
  refunded: 'payment.refunded.v1',
} as const;

type Common =
  | 'event_id'
  | 'occurred_at'
  | 'aggregate_id'
  | 'region'
  | 'payment_id'
  | 'order_id'
  | 'customer_id'
  | 'currency';

/** Writes payment events through the client that holds the caller's transaction. */
export function createPaymentEvents(encode: EventEncoder) {
  async function write<T extends Topic>(
    client: PgQueryable,
    topic: T,
    payment: Payment,
    fields: Omit<EventOf<T>, Common>,
  ): Promise<string> {
    const eventId = randomUUID();
    const occurredAt = new Date(payment.updatedAt);
    const payload = await encode(topic, {
      event_id: eventId,
      occurred_at: occurredAt.getTime(),
      aggregate_id: payment.id,
      region: payment.region,
      payment_id: payment.id,
      order_id: payment.orderId,
      customer_id: payment.customerId,
      currency: payment.currency,
      ...fields,
    } as EventOf<T>);
    return writeOutboxPg(client, {
      topic,
      aggregateType: 'payment',
      aggregateId: payment.id,
      region: payment.region,
      payload,
      eventId,
      occurredAt,
    });
  }

  return {
    authorized: (client: PgQueryable, p: Payment) =>
      write(client, topics.authorized, p, {
        amount_minor: p.amountMinor,
        psp_reference: p.pspReference ?? '',
        expires_at: p.expiresAt ? new Date(p.expiresAt).getTime() : null,
      }),
    /** An authorisation that failed: declined (not retryable) or abandoned at the PSP (retryable). */
    failed: (
      client: PgQueryable,
      p: Payment,
      reason: DeclineReason | 'psp_timeout',
      detail: string,
      retryable: boolean,
    ) =>
      write(client, topics.failed, p, {
        amount_minor: p.amountMinor,
        operation: 'authorize',
        reason,
        detail,
        retryable,
      }),
    captured: (client: PgQueryable, p: Payment, amountMinor: number, pspReference: string) =>
      write(client, topics.captured, p, { amount_minor: amountMinor, psp_reference: pspReference }),
    voided: (client: PgQueryable, p: Payment, reason: string | null) =>
      write(client, topics.voided, p, { amount_minor: p.amountMinor, reason }),
    refunded: (
      client: PgQueryable,
      p: Payment,
      refundId: string,
      amountMinor: number,
      reason: string | null,
    ) =>
      write(client, topics.refunded, p, {
        amount_minor: amountMinor,
        refund_id: refundId,
        refunded_total_minor: p.refundedMinor,
        reason,
      }),
  };
}

export type PaymentEvents = ReturnType<typeof createPaymentEvents>;
