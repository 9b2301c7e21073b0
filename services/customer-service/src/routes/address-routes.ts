import { assertSelfOrRole, problemResponses, type RoutesPlugin } from '@shop/common';
import { z } from 'zod';
import { fail } from '../errors.js';
import { Address, AddressChangesBody, AddressParams, CustomerIdParams, NewAddressBody } from './schemas.js';

/** A customer's addresses; at most one is the default. */
export const addressRoutes: RoutesPlugin = async (app) => {
  const { customers } = app;

  app.get(
    '/customers/:customerId/addresses',
    {
      config: { roles: ['customer', 'admin', 'service'] },
      schema: {
        summary: "List a customer's addresses",
        tags: ['addresses'],
        security: [{ bearer: [] }],
        params: CustomerIdParams,
        response: {
          200: z.object({ items: z.array(Address) }),
          ...problemResponses(400, 401, 403, 404, 503),
        },
      },
    },
    async (request) => {
      const { customerId } = request.params;
      assertSelfOrRole(request, customerId, 'service');
      if (!(await customers.get(customerId)))
        throw fail('CUSTOMER_NOT_FOUND', `customer ${customerId} does not exist`);
      return { items: await customers.listAddresses(customerId) };
    },
  );

  app.post(
    '/customers/:customerId/addresses',
    {
      config: { idempotent: true },
      schema: {
        summary: 'Add an address',
        tags: ['addresses'],
        security: [{ bearer: [] }],
        params: CustomerIdParams,
        body: NewAddressBody,
        response: { 201: Address, ...problemResponses(400, 401, 403, 404, 422, 503) },
      },
    },
    async (request, reply) => {
      const { customerId } = request.params;
      assertSelfOrRole(request, customerId);
      const address = await customers.addAddress(customerId, request.body);
      return reply
        .status(201)
        .header('location', `/customers/${customerId}/addresses/${address.id}`)
        .send(address);
    },
  );

  app.patch(
    '/customers/:customerId/addresses/:addressId',
    {
      schema: {
        summary: 'Change an address',
        tags: ['addresses'],
        security: [{ bearer: [] }],
        params: AddressParams,
        body: AddressChangesBody,
        response: { 200: Address, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const { customerId, addressId } = request.params;
      assertSelfOrRole(request, customerId);
      return customers.updateAddress(customerId, addressId, request.body);
    },
  );

  app.delete(
    '/customers/:customerId/addresses/:addressId',
    {
      schema: {
        summary: 'Remove an address',
        tags: ['addresses'],
        security: [{ bearer: [] }],
        params: AddressParams,
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      const { customerId, addressId } = request.params;
      assertSelfOrRole(request, customerId);
      await customers.removeAddress(customerId, addressId);
      return reply.status(204).send(null);
    },
  );
};
