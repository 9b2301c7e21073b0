import { regions } from '@shop/common';
import { z } from 'zod';
import { orderStatuses } from '../domain/order.js';

const sku = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, '1 to 64 letters, digits, dot, dash or underscore');
const ref = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,64}$/, '1 to 64 letters, digits, dot, colon, dash or underscore');

export const OrderIdParams = z.object({ orderId: z.uuid() });

export const OrderLineBody = z.strictObject({
  sku,
  quantity: z.number().int().min(1).max(1000),
  unitPriceMinor: z.number().int().min(0).max(1_000_000_000).describe('In minor units of the currency'),
});

export const NewOrderBody = z.strictObject({
  cartId: ref,
  /** Defaults to the cart id: one checkout per cart. */
  checkoutId: ref.optional(),
  /** Whose order; a customer's own token implies it, service and admin callers must name it. */
  customerId: ref.optional(),
  region: z.enum(regions),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR'),
  lines: z.array(OrderLineBody).min(1).max(100),
  /** Scenario runs (service or admin only): the saga's mode for this order instead of SAGA_MODE. */
  sagaMode: z.enum(['broken', 'fixed']).optional(),
  /** Scenario runs (service or admin only): the reservation TTL for this order. */
  reservationTtlSeconds: z.number().int().min(1).max(86_400).optional(),
  /** Scenario runs (service or admin only): PSP mock controls sent with the authorization. */
  psp: z
    .strictObject({
      behaviour: z.enum(['approve', 'decline', 'fail', 'latency', 'hold']),
      ms: z.number().int().min(0).max(60_000).optional(),
      holdSeconds: z.number().int().min(0).max(3600).optional(),
      declineReason: z.string().min(1).max(64).optional(),
    })
    .optional(),
});

export const OrderLine = z.object({
  sku: z.string(),
  quantity: z.number().int(),
  unitPriceMinor: z.number().int(),
  lineTotalMinor: z.number().int(),
});

export const Order = z
  .object({
    id: z.uuid(),
    customerId: z.string(),
    cartId: z.string(),
    checkoutId: z.string(),
    region: z.string(),
    currency: z.string(),
    status: z.enum(orderStatuses),
    statusReason: z.string().nullable(),
    subtotalMinor: z.number().int(),
    totalMinor: z.number().int(),
    lines: z.array(OrderLine),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Order' });

export const OrderPage = z
  .object({ items: z.array(Order), nextCursor: z.string().nullable() })
  .meta({ id: 'OrderPage' });

export const ListQuery = z.strictObject({
  customerId: ref.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .regex(/^[1-9][0-9]{0,17}$/, 'the nextCursor of a previous page')
    .optional(),
});

export const TransitionBody = z.strictObject({
  to: z.enum(orderStatuses),
  reason: z.string().min(1).max(64).optional(),
});

export const Saga = z
  .object({
    orderId: z.string(),
    region: z.string(),
    mode: z.enum(['broken', 'fixed']),
    phase: z.string(),
    currentStep: z.string().nullable(),
    nextRunAt: z.string(),
    state: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'Saga' });
