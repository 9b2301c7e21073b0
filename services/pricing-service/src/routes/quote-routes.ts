import {
  type Claims,
  DomainError,
  hasRole,
  problemResponses,
  type RoutesPlugin,
  regions,
} from '@shop/common';
import type { StoredQuote } from '../db/quote-repository.js';
import { parseSegment } from '../domain/rules.js';
import { fail } from '../errors.js';
import { Quote, QuoteBody, QuoteIdParams } from './schemas.js';

const security = [{ bearer: [] }];

function view(quote: StoredQuote, now: Date) {
  const { id, requestedBy: _requestedBy, ...rest } = quote;
  return { quoteId: id, ...rest, expired: Date.parse(quote.expiresAt) <= now.getTime() };
}

/** Quotes: price lines for a region, currency and customer, explain every line, keep the result. */
export const quoteRoutes: RoutesPlugin = async (app) => {
  const { quotes } = app;

  app.post(
    '/quotes',
    {
      config: { roles: ['customer', 'service', 'admin'], idempotent: true },
      schema: {
        summary: 'Price lines and keep the quote',
        description:
          'Order of evaluation per line: base price from the region’s book in the currency (or its default ' +
          'book, converted at the newest rate, half-even) → discount rules by SKU, category or segment → time ' +
          'window → quantity break → one winner: highest priority, then lowest price. Unit prices are whole ' +
          'minor units; line total = unit price × quantity. A SKU without a base price fails the quote (422 ' +
          'SKU_NOT_PRICED naming it). `segment` is accepted from service and admin tokens only; a customer ' +
          'quotes for themselves. Honours Idempotency-Key.',
        tags: ['quotes'],
        security,
        body: QuoteBody,
        response: { 201: Quote, ...problemResponses(400, 401, 403, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const user = request.user as Claims;
      const trusted = hasRole(user, ['service']);
      const { region, currency, lines } = request.body;
      // A customer's own token is only ever about that customer; segments come from customer-service via
      // a trusted caller, or anyone could name the gold segment and take its discount.
      if (request.body.segment !== undefined && !trusted) {
        throw new DomainError('FORBIDDEN', 'segment is accepted from service and admin tokens only', {
          field: 'body.segment',
        });
      }
      let customerId = request.body.customerId ?? null;
      if (!trusted) {
        if (customerId !== null && customerId !== user.sub)
          throw new DomainError('FORBIDDEN', 'a customer quotes for themselves only');
        customerId = user.sub;
      }
      const segment =
        request.body.segment === undefined ? undefined : parseSegment(request.body.segment, regions);
      const quote = await quotes.create({ region, currency, customerId, segment, lines }, user.sub);
      return reply.status(201).header('location', `/quotes/${quote.id}`).send(view(quote, new Date()));
    },
  );

  app.get(
    '/quotes/:quoteId',
    {
      config: { roles: ['customer', 'service', 'admin'] },
      schema: {
        summary: 'Get a quote',
        description:
          'As it was priced, with `expired` once past `expiresAt`. Readable by services, admins, and the ' +
          'customer it is for or who asked for it.',
        tags: ['quotes'],
        security,
        params: QuoteIdParams,
        response: { 200: Quote, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const quote = await quotes.get(request.params.quoteId);
      if (!quote) throw fail('QUOTE_NOT_FOUND', `quote ${request.params.quoteId} does not exist`);
      const user = request.user as Claims;
      if (!hasRole(user, ['service']) && user.sub !== quote.customerId && user.sub !== quote.requestedBy) {
        throw new DomainError('FORBIDDEN', 'this quote belongs to another customer');
      }
      return view(quote, new Date());
    },
  );
};
