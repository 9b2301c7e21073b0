import { assertSelfOrRole, DomainError, hasRole, problemResponses, type RoutesPlugin } from '@shop/common';
import type { z } from 'zod';
import type { Order as OrderRecord } from '../domain/order.js';
import { fail } from '../errors.js';
import { ListQuery, NewOrderBody, Order, OrderIdParams, OrderPage, Saga, TransitionBody } from './schemas.js';

export function orderView(o: OrderRecord) {
  return { ...o, createdAt: o.createdAt.toISOString(), updatedAt: o.updatedAt.toISOString() };
}

/** Orders: create idempotently, read (customer-scoped), list by page, move through the status machine. */
export const orderRoutes: RoutesPlugin<{ sagaMode: 'broken' | 'fixed'; ttlSeconds: number }> = async (
  app,
  options,
) => {
  const { orders, sagas } = app;

  app.post(
    '/orders',
    {
      config: { idempotent: true },
      schema: {
        summary: 'Create an order from a checked-out cart',
        description:
          'One order per cart: creating it again (concurrently or later) answers the same order with 200; ' +
          'other terms for the same cart answer 409. Idempotency-Key is honoured: the same key with another ' +
          'body answers 422. The order starts `pending` and its checkout saga is queued. `sagaMode`, ' +
          '`reservationTtlSeconds` and `psp` are for scenario runs by service or admin callers.',
        tags: ['orders'],
        security: [{ bearer: [] }],
        body: NewOrderBody,
        response: { 200: Order, 201: Order, ...problemResponses(400, 401, 403, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const { sagaMode, reservationTtlSeconds, psp, customerId: named, ...body } = request.body;
      const claims = request.user;
      const privileged = hasRole(claims, ['service']);
      if (!privileged && (sagaMode || reservationTtlSeconds || psp)) {
        throw new DomainError('FORBIDDEN', 'sagaMode, reservationTtlSeconds and psp are for service callers');
      }
      const customerId = named ?? (claims.roles.includes('customer') ? claims.sub : undefined);
      if (!customerId) {
        throw new DomainError('VALIDATION_FAILED', 'customerId: required when the caller is not a customer', {
          errors: [{ field: 'customerId', message: 'required when the caller is not a customer' }],
        });
      }
      assertSelfOrRole(request, customerId, 'service');
      const { order, created } = await orders.create({
        ...body,
        customerId,
        checkoutId: body.checkoutId ?? body.cartId,
        saga: {
          mode: sagaMode ?? options.sagaMode,
          ttlSeconds: reservationTtlSeconds ?? options.ttlSeconds,
          psp: psp ?? null,
        },
      });
      return reply
        .status(created ? 201 : 200)
        .header('location', `/orders/${order.id}`)
        .send(orderView(order));
    },
  );

  app.get(
    '/orders',
    {
      config: { roles: ['customer', 'service'] },
      schema: {
        summary: 'List orders, newest first',
        description:
          'A customer sees only their own orders (naming another customer answers 403); service and admin ' +
          'callers see all or filter by customerId. Pass `nextCursor` as `cursor` for the next page.',
        tags: ['orders'],
        security: [{ bearer: [] }],
        querystring: ListQuery,
        response: { 200: OrderPage, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      let { customerId } = request.query;
      if (!hasRole(request.user, ['service'])) {
        if (customerId && customerId !== request.user.sub) {
          throw new DomainError('FORBIDDEN', 'a customer may only list their own orders');
        }
        customerId = request.user.sub;
      }
      const page = await orders.list({
        limit,
        ...(customerId ? { customerId } : {}),
        ...(cursor ? { after: Number(cursor) } : {}),
      });
      return { items: page.items.map(orderView), nextCursor: page.next === null ? null : String(page.next) };
    },
  );

  app.get(
    '/orders/:orderId',
    {
      config: { roles: ['customer', 'service'] },
      schema: {
        summary: 'Get an order',
        description: "Another customer's order answers 403.",
        tags: ['orders'],
        security: [{ bearer: [] }],
        params: OrderIdParams,
        response: { 200: Order, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const order = await orders.get(request.params.orderId);
      if (!order) throw fail('ORDER_NOT_FOUND', `order ${request.params.orderId} does not exist`);
      assertSelfOrRole(request, order.customerId, 'service');
      return orderView(order);
    },
  );

  app.post(
    '/orders/:orderId/transitions',
    {
      config: { roles: ['service'] },
      schema: {
        summary: 'Move an order to another status',
        description:
          'For operators and services (fulfillment marks orders fulfilled). Only legal moves: pending → ' +
          'reserved → paid → confirmed → fulfilled, cancelled before money is taken, refunded after; any ' +
          'other answers 409 ILLEGAL_TRANSITION. Publishes `order.status.changed.v1`.',
        tags: ['orders'],
        security: [{ bearer: [] }],
        params: OrderIdParams,
        body: TransitionBody,
        response: { 200: Order, ...problemResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) =>
      orderView(
        await orders.transition(request.params.orderId, request.body.to, request.body.reason ?? null),
      ),
  );

  app.get(
    '/orders/:orderId/saga',
    {
      config: { roles: ['service'] },
      schema: {
        summary: "The order's checkout saga: phase, step statuses, attempts and deadlines",
        tags: ['orders'],
        security: [{ bearer: [] }],
        params: OrderIdParams,
        response: { 200: Saga, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request): Promise<z.infer<typeof Saga>> => {
      const saga = await sagas.get(request.params.orderId);
      if (!saga) throw fail('SAGA_NOT_FOUND', `order ${request.params.orderId} has no saga`);
      return { ...saga, state: { ...saga.state } };
    },
  );
};
