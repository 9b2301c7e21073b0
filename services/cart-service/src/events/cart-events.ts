// What cart-service publishes: `cart.item.added.v1` and `cart.checkedout.v1`, written to the outbox in
// the transaction of the change (Debezium's cart-outbox connector moves them to Kafka). This module is the
// only place that knows the events' shape; the types are generated from schema-contracts/*.avsc.
import { type EventEncoder, type MysqlQueryable, writeOutboxMysql } from '@shop/common';
import type { CartCheckedout, CartItemAdded } from '@shop/contracts';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Cart, CartLine } from '../domain/cart.js';
import type { CheckoutResult } from '../domain/checkout.js';

export const topics = {
  itemAdded: 'cart.item.added.v1',
  checkedOut: 'cart.checkedout.v1',
} as const;

export type CartEvent =
  /** Units of a SKU went into a cart: added by the customer, or moved over by a merge. */
  | {
      type: 'item-added';
      eventId: string;
      cart: Cart;
      line: CartLine;
      quantityAdded: number;
      occurredAt: Date;
    }
  | { type: 'checked-out'; eventId: string; checkout: CheckoutResult; occurredAt: Date };

/** Writes an event through the connection holding the caller's transaction. */
export interface CartEventWriter {
  write(conn: MysqlQueryable, event: CartEvent): Promise<void>;
}

/** The Avro record of `cart.item.added.v1` for an event. */
export function itemAddedRecord(event: Extract<CartEvent, { type: 'item-added' }>): CartItemAdded {
  const { cart, line } = event;
  return {
    event_id: event.eventId,
    occurred_at: event.occurredAt.getTime(),
    aggregate_id: cart.id,
    region: cart.region,
    cart_id: cart.id,
    customer_id: cart.customerId,
    sku: line.sku,
    quantity_added: event.quantityAdded,
    line_quantity: line.quantity,
    unit_price_minor: line.unitPriceMinor,
    currency: line.currency,
    quote_id: line.quoteId,
    rules_applied: line.rulesApplied,
  };
}

/** The Avro record of `cart.checkedout.v1` for an event. */
export function checkedOutRecord(event: Extract<CartEvent, { type: 'checked-out' }>): CartCheckedout {
  const { checkout } = event;
  return {
    event_id: event.eventId,
    occurred_at: event.occurredAt.getTime(),
    aggregate_id: checkout.cartId,
    region: checkout.region,
    cart_id: checkout.cartId,
    checkout_id: checkout.checkoutId,
    customer_id: checkout.customerId,
    currency: checkout.currency,
    subtotal_minor: checkout.subtotalMinor,
    item_count: checkout.itemCount,
    difference_minor: checkout.differenceMinor,
    lines: checkout.lines.map((l) => ({
      sku: l.sku,
      quantity: l.quantity,
      unit_price_minor: l.unitPriceMinor,
      quote_id: l.quoteId,
    })),
  };
}

/** Encodes each event against the registry and inserts it into the outbox of the caller's transaction. */
export function createCartEventWriter(encode: EventEncoder): CartEventWriter {
  return {
    async write(conn, event) {
      const common = { aggregateType: 'cart', eventId: event.eventId, occurredAt: event.occurredAt };
      if (event.type === 'item-added') {
        await writeOutboxMysql(conn, {
          ...common,
          topic: topics.itemAdded,
          aggregateId: event.cart.id,
          region: event.cart.region,
          payload: await encode(topics.itemAdded, itemAddedRecord(event)),
        });
      } else {
        await writeOutboxMysql(conn, {
          ...common,
          topic: topics.checkedOut,
          aggregateId: event.checkout.cartId,
          region: event.checkout.region,
          payload: await encode(topics.checkedOut, checkedOutRecord(event)),
        });
      }
    },
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    cartEvents: CartEventWriter;
  }
}

/**
 * `app.cartEvents`, encoding with the kit's registry encoder: nothing is fetched until the first event, and
 * a registry that cannot encode refuses the change (503) instead of letting it commit without its event.
 */
export const cartEventsPlugin = fp(
  async (app: FastifyInstance, options: { encode: EventEncoder }) => {
    app.decorate('cartEvents', createCartEventWriter(options.encode));
  },
  { name: 'cart-events' },
);
