import { problemResponses, type RoutesPlugin } from '@shop/common';
import type { MockPsp } from '../psp/mock-psp.js';
import { Balances, BalancesQuery, PspBehaviour } from './schemas.js';

/** Operator controls: the mock PSP's global behaviour and the ledger's balances. */
export const adminRoutes: RoutesPlugin<{ psp: MockPsp }> = async (app, { psp }) => {
  const tags = ['admin'];
  const security = [{ bearer: [] }];

  app.get(
    '/admin/psp',
    {
      config: { roles: ['service'] },
      schema: {
        summary: "The mock PSP's global behaviour",
        tags,
        security,
        response: { 200: PspBehaviour, ...problemResponses(401, 403) },
      },
    },
    async () => psp.settings,
  );

  app.put(
    '/admin/psp',
    {
      config: { roles: ['service'] },
      schema: {
        summary: "Set the mock PSP's global behaviour",
        description:
          'Applies to every authorisation without its own `psp`, in this process, until set again. ' +
          '`{ "behaviour": "approve" }` restores the default.',
        tags,
        security,
        body: PspBehaviour,
        response: { 200: PspBehaviour, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      request.log.warn({ psp: request.body }, 'mock PSP behaviour changed');
      return psp.set(request.body);
    },
  );

  app.get(
    '/admin/ledger/balances',
    {
      config: { roles: ['admin'] },
      schema: {
        summary: 'Ledger balances per account',
        description: '`imbalance` is the net of all lines per currency and must be 0.',
        tags,
        security,
        querystring: BalancesQuery,
        response: { 200: Balances, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (request) => ({
      items: await app.payments.balances(request.query),
      imbalance: await app.payments.imbalance(),
    }),
  );
};
