import {
  assertSelfOrRole,
  decodeCursor,
  encodeCursor,
  problemResponses,
  type RoutesPlugin,
} from '@shop/common';
import { z } from 'zod';
import { normalizeEmail, segmentOf } from '../domain/customer.js';
import { fail } from '../errors.js';
import {
  Customer,
  CustomerChangesBody,
  CustomerIdParams,
  CustomerPage,
  ListQuery,
  NewCustomerBody,
  PurchaseBody,
  Segment,
} from './schemas.js';

/** Customers: registration, reads through the cache, changes that invalidate it. */
export const customerRoutes: RoutesPlugin = async (app) => {
  const { customers, customerCache } = app;

  app.post(
    '/customers',
    {
      config: { public: true, idempotent: true },
      schema: {
        summary: 'Register a customer',
        description:
          'Public sign-up. Honours Idempotency-Key. The email is unique, compared case-insensitively.',
        tags: ['customers'],
        body: NewCustomerBody,
        response: { 201: Customer, ...problemResponses(400, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const customer = await customers.create({ ...request.body, email: normalizeEmail(request.body.email) });
      return reply.status(201).header('location', `/customers/${customer.id}`).send(customer);
    },
  );

  app.get(
    '/customers',
    {
      config: { roles: ['admin', 'service'] },
      schema: {
        summary: 'List customers',
        description: 'Keyset pagination ordered by creation: pass `nextCursor` back as `cursor`.',
        tags: ['customers'],
        security: [{ bearer: [] }],
        querystring: ListQuery,
        response: { 200: CustomerPage, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const { limit, cursor, region, email } = request.query;
      if (email) {
        const found = await customers.getByEmail(normalizeEmail(email));
        return { items: found && (!region || found.region === region) ? [found] : [], nextCursor: null };
      }
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      if (cursor !== undefined && !after)
        throw fail('INVALID_CURSOR', 'use the nextCursor of a previous page');
      const page = await customers.list({
        limit,
        ...(region ? { region } : {}),
        ...(after ? { after } : {}),
      });
      const last = page.items.at(-1);
      return { items: page.items, nextCursor: page.more && last ? encodeCursor(last) : null };
    },
  );

  app.get(
    '/customers/:customerId',
    {
      config: { roles: ['customer', 'admin', 'service'] },
      schema: {
        summary: 'Get a customer',
        description: 'A customer reads only their own record. Served from the cache when present.',
        tags: ['customers'],
        security: [{ bearer: [] }],
        params: CustomerIdParams,
        response: { 200: Customer, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      const { customerId } = request.params;
      assertSelfOrRole(request, customerId, 'service');
      // A hit is sent as stored: it was validated against the response schema when it was cached.
      const cached = await customerCache.getJson(customerId);
      if (cached) {
        return reply
          .header('x-cache', 'hit')
          .type('application/json; charset=utf-8')
          .serializer((payload) => payload as string)
          .send(cached as never); // already JSON; the serializer above passes it through
      }
      const customer = await customers.get(customerId);
      if (!customer) throw fail('CUSTOMER_NOT_FOUND', `customer ${customerId} does not exist`);
      await customerCache.fill(customer);
      return reply.header('x-cache', 'miss').send(customer);
    },
  );

  app.patch(
    '/customers/:customerId',
    {
      schema: {
        summary: 'Change a customer',
        tags: ['customers'],
        security: [{ bearer: [] }],
        params: CustomerIdParams,
        body: CustomerChangesBody,
        response: { 200: Customer, ...problemResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => {
      const { customerId } = request.params;
      assertSelfOrRole(request, customerId);
      const { email, ...rest } = request.body;
      const customer = await customers.update(customerId, {
        ...rest,
        ...(email ? { email: normalizeEmail(email) } : {}),
      });
      await customerCache.invalidate(customerId);
      return customer;
    },
  );

  app.delete(
    '/customers/:customerId',
    {
      schema: {
        summary: 'Delete a customer and their addresses',
        tags: ['customers'],
        security: [{ bearer: [] }],
        params: CustomerIdParams,
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      const { customerId } = request.params;
      assertSelfOrRole(request, customerId);
      await customers.remove(customerId);
      await customerCache.invalidate(customerId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/customers/:customerId/purchases',
    {
      config: { roles: ['service'] },
      schema: {
        summary: 'Record a completed purchase',
        description: 'Adds to lifetime spend (EUR cents) and moves last order time; feeds segmentation.',
        tags: ['customers'],
        security: [{ bearer: [] }],
        params: CustomerIdParams,
        body: PurchaseBody,
        response: { 200: Customer, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const { customerId } = request.params;
      const customer = await customers.recordPurchase(
        customerId,
        request.body.amountMinor,
        new Date(request.body.occurredAt),
      );
      await customerCache.invalidate(customerId);
      return customer;
    },
  );

  app.get(
    '/customers/:customerId/segment',
    {
      config: { roles: ['customer', 'admin', 'service'] },
      schema: {
        summary: "A customer's segment",
        tags: ['segments'],
        security: [{ bearer: [] }],
        params: CustomerIdParams,
        response: { 200: Segment, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const { customerId } = request.params;
      assertSelfOrRole(request, customerId, 'service');
      const customer = (await customerCache.get(customerId)) ?? (await customers.get(customerId));
      if (!customer) throw fail('CUSTOMER_NOT_FOUND', `customer ${customerId} does not exist`);
      return segmentOf(customer, new Date());
    },
  );
};
