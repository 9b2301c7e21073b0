// Orders from `cart.checkedout.v1`: the same creation as POST /orders, in the consumer's transaction with
// the processed-event record, so a redelivered event (or the same cart also posted over HTTP) makes one order.
import {
  type ConsumeOptions,
  type ConsumerHandle,
  consume,
  createKafka,
  DomainError,
  mysqlProcessedStore,
  PoisonMessageError,
} from '@shop/common';
import { type CartCheckedout, createRegistry, decodeEvent } from '@shop/contracts';
import type { FastifyInstance } from 'fastify';
import type { PoolConnection } from 'mysql2/promise';
import type { Registry } from 'prom-client';
import type { NewOrder } from '../db/order-repository.js';
import type { SagaMode } from '../domain/checkout-saga.js';

export const checkedOutTopic = 'cart.checkedout.v1';

// The kit wants a pino BaseLogger; Fastify's logger is pino, typed more loosely.
type KitLogger = NonNullable<ConsumeOptions<unknown, unknown>['logger']>;

/** The order a checkout asks for; a guest checkout (no customer) can never become one. */
export function orderFromCheckout(
  event: CartCheckedout,
  saga: { mode: SagaMode; ttlSeconds: number },
): NewOrder {
  if (!event.customer_id) throw new PoisonMessageError(`checkout ${event.checkout_id} has no customer`);
  return {
    customerId: event.customer_id,
    cartId: event.cart_id,
    checkoutId: event.checkout_id,
    region: event.region,
    currency: event.currency,
    lines: event.lines.map((l) => ({
      sku: l.sku,
      quantity: l.quantity,
      unitPriceMinor: Number(l.unit_price_minor),
    })),
    saga: { ...saga, psp: null },
  };
}

export async function startCheckoutConsumer(
  app: FastifyInstance,
  options: { brokers: string; registryUrl: string; saga: { mode: SagaMode; ttlSeconds: number } },
): Promise<ConsumerHandle> {
  const registry = createRegistry(options.registryUrl);
  return consume<CartCheckedout, PoolConnection>({
    kafka: createKafka({
      brokers: options.brokers.split(','),
      clientId: 'order-service',
      logger: app.log as unknown as KitLogger,
    }),
    groupId: 'order-service.checkouts',
    topic: checkedOutTopic,
    decode: (bytes) => decodeEvent(registry, bytes, checkedOutTopic),
    processedStore: mysqlProcessedStore(app.mysql),
    registry: (app as FastifyInstance & { metrics: Registry }).metrics,
    logger: app.log as unknown as KitLogger,
    fromBeginning: true,
    handler: async (event, _meta, tx) => {
      try {
        await app.orders.createIn(tx, orderFromCheckout(event, options.saga));
      } catch (err) {
        // A rule violation (duplicate SKU, the cart already ordered on other terms) never succeeds on retry.
        if (err instanceof DomainError && err.code !== 'DEPENDENCY_UNAVAILABLE') {
          throw new PoisonMessageError((err as Error).message);
        }
        throw err;
      }
    },
  });
}
