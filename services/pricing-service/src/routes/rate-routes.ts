import { problemResponses, type RoutesPlugin } from '@shop/common';
import { z } from 'zod';
import { formatDecimal } from '../domain/money.js';
import type { StoredRate } from '../domain/rates.js';
import { RATE_BASE, RatesDocument } from '../domain/rates.js';
import { LoadRatesResponse, Rate, RateHistoryQuery, RateParams, RatesResponse } from './schemas.js';

function rateView(rate: StoredRate) {
  return {
    base: RATE_BASE,
    currency: rate.currency,
    rate: formatDecimal(rate.rate),
    asOf: rate.asOf.toISOString(),
    source: rate.source,
  };
}

/** Exchange rates against EUR, with the instant each was published for. */
export const rateRoutes: RoutesPlugin = async (app) => {
  const { rates } = app;

  app.get(
    '/rates',
    {
      schema: {
        summary: 'The newest rate of every currency',
        description: `Units of each currency per one ${RATE_BASE}. Quotes convert with these.`,
        tags: ['rates'],
        response: { 200: RatesResponse, ...problemResponses(503) },
      },
    },
    async () => {
      const newest = await rates.newest();
      return {
        base: RATE_BASE,
        rates: [...newest.values()].sort((a, b) => a.currency.localeCompare(b.currency)).map(rateView),
      };
    },
  );

  app.get(
    '/rates/:currency',
    {
      schema: {
        summary: "A currency's rates, newest first",
        description: 'Pass the `asOf` of the last item as `before` for the next page.',
        tags: ['rates'],
        params: RateParams,
        querystring: RateHistoryQuery,
        response: { 200: z.object({ items: z.array(Rate) }), ...problemResponses(400, 503) },
      },
    },
    async (request) => {
      const { limit, before } = request.query;
      const items = await rates.history(
        request.params.currency,
        limit,
        before === undefined ? undefined : new Date(before),
      );
      return { items: items.map(rateView) };
    },
  );

  app.post(
    '/rates',
    {
      config: { roles: ['admin'], idempotent: true },
      schema: {
        summary: 'Load rates',
        description:
          `One document \`{base: "${RATE_BASE}", asOf, source?, rates: {USD: "1.0834", ...}}\`, ` +
          'stored in one transaction. Loading the same rates again changes nothing; a different rate for a ' +
          'currency and instant already stored answers 409 and stores nothing. `pnpm rates:update` loads files of one or many documents the same way.',
        tags: ['rates'],
        security: [{ bearer: [] }],
        body: RatesDocument,
        response: { 200: LoadRatesResponse, ...problemResponses(400, 401, 403, 409, 503) },
      },
    },
    async (request) => rates.load([request.body]),
  );
};
