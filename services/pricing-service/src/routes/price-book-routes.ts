import { decodeCursor, encodeCursor, problemResponses, type RoutesPlugin } from '@shop/common';
import { z } from 'zod';
import { decodeSkuCursor, encodeSkuCursor } from '../domain/cursor.js';
import { fail } from '../errors.js';
import {
  BasePrice,
  BookIdParams,
  NewPriceBookBody,
  PriceBody,
  PriceBook,
  PriceBookChangesBody,
  PriceBookListQuery,
  PriceBookPage,
  PriceListQuery,
  PricePage,
  PriceParams,
  PricesBody,
  PricesResponse,
} from './schemas.js';

const security = [{ bearer: [] }];

/** Price books per region and currency, and their base prices per SKU (admin; reads also for services). */
export const priceBookRoutes: RoutesPlugin = async (app) => {
  const { priceBooks } = app;

  const bookOr404 = async (bookId: string) => {
    const book = await priceBooks.get(bookId);
    if (!book) throw fail('PRICE_BOOK_NOT_FOUND', `price book ${bookId} does not exist`);
    return book;
  };

  app.post(
    '/price-books',
    {
      config: { roles: ['admin'], idempotent: true },
      schema: {
        summary: 'Create a price book',
        description:
          "One book per region and currency. The region's first book becomes its default: quotes in a " +
          'currency without a book of its own are priced from the default book and converted. Honours Idempotency-Key.',
        tags: ['price books'],
        security,
        body: NewPriceBookBody,
        response: { 201: PriceBook, ...problemResponses(400, 401, 403, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const book = await priceBooks.create(request.body);
      return reply.status(201).header('location', `/price-books/${book.id}`).send(book);
    },
  );

  app.get(
    '/price-books',
    {
      config: { roles: ['admin', 'service'] },
      schema: {
        summary: 'List price books',
        description: 'Keyset pagination ordered by creation: pass `nextCursor` back as `cursor`.',
        tags: ['price books'],
        security,
        querystring: PriceBookListQuery,
        response: { 200: PriceBookPage, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const { limit, cursor, region, currency } = request.query;
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      if (cursor !== undefined && !after)
        throw fail('INVALID_CURSOR', 'use the nextCursor of a previous page');
      const page = await priceBooks.list({ limit, region, currency, after });
      const last = page.items.at(-1);
      return { items: page.items, nextCursor: page.more && last ? encodeCursor(last) : null };
    },
  );

  app.get(
    '/price-books/:bookId',
    {
      config: { roles: ['admin', 'service'] },
      schema: {
        summary: 'Get a price book',
        tags: ['price books'],
        security,
        params: BookIdParams,
        response: { 200: PriceBook, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => bookOr404(request.params.bookId),
  );

  app.patch(
    '/price-books/:bookId',
    {
      config: { roles: ['admin'] },
      schema: {
        summary: 'Rename a price book or make it the default',
        description: 'Region and currency never change: every base price in the book is in them.',
        tags: ['price books'],
        security,
        params: BookIdParams,
        body: PriceBookChangesBody,
        response: { 200: PriceBook, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => priceBooks.update(request.params.bookId, request.body),
  );

  app.delete(
    '/price-books/:bookId',
    {
      config: { roles: ['admin'] },
      schema: {
        summary: 'Delete a price book and its prices',
        description:
          'Quotes keep what they were priced from. The default book of a region with other books cannot be ' +
          'deleted (409): make another one the default first.',
        tags: ['price books'],
        security,
        params: BookIdParams,
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      await priceBooks.remove(request.params.bookId);
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/price-books/:bookId/prices',
    {
      config: { roles: ['admin'] },
      schema: {
        summary: 'Set many base prices',
        description:
          'Creates or replaces up to 1,000 base prices in one transaction: all are written or none.',
        tags: ['price books'],
        security,
        params: BookIdParams,
        body: PricesBody,
        response: { 200: PricesResponse, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const written = await priceBooks.putPrices(request.params.bookId, request.body.prices);
      const created = written.filter((w) => w.created).length;
      return { items: written.map((w) => w.price), created, replaced: written.length - created };
    },
  );

  app.put(
    '/price-books/:bookId/prices/:sku',
    {
      config: { roles: ['admin'] },
      schema: {
        summary: 'Set the base price of a SKU',
        description: 'Amount in minor units of the book’s currency. 201 when new, 200 when replaced.',
        tags: ['price books'],
        security,
        params: PriceParams,
        body: PriceBody,
        response: { 200: BasePrice, 201: BasePrice, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      const { bookId, sku } = request.params;
      const [written] = await priceBooks.putPrices(bookId, [{ sku, ...request.body }]);
      return reply.status(written!.created ? 201 : 200).send(written!.price);
    },
  );

  app.get(
    '/price-books/:bookId/prices',
    {
      config: { roles: ['admin', 'service'] },
      schema: {
        summary: "List a book's base prices",
        description: 'Ordered by SKU; pass `nextCursor` back as `cursor`.',
        tags: ['price books'],
        security,
        params: BookIdParams,
        querystring: PriceListQuery,
        response: { 200: PricePage, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const { bookId } = request.params;
      const { limit, cursor, category } = request.query;
      const afterSku = cursor === undefined ? undefined : decodeSkuCursor(cursor);
      if (cursor !== undefined && afterSku === undefined)
        throw fail('INVALID_CURSOR', 'use the nextCursor of a previous page');
      await bookOr404(bookId);
      const page = await priceBooks.listPrices(bookId, { limit, category, afterSku });
      const last = page.items.at(-1);
      return { items: page.items, nextCursor: page.more && last ? encodeSkuCursor(last.sku) : null };
    },
  );

  app.get(
    '/price-books/:bookId/prices/:sku',
    {
      config: { roles: ['admin', 'service'] },
      schema: {
        summary: 'Get the base price of a SKU',
        tags: ['price books'],
        security,
        params: PriceParams,
        response: { 200: BasePrice, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const { bookId, sku } = request.params;
      await bookOr404(bookId);
      const price = await priceBooks.getPrice(bookId, sku);
      if (!price) throw fail('PRICE_NOT_FOUND', `${sku} has no base price in price book ${bookId}`);
      return price;
    },
  );

  app.delete(
    '/price-books/:bookId/prices/:sku',
    {
      config: { roles: ['admin'] },
      schema: {
        summary: 'Remove the base price of a SKU',
        description: 'Quotes for the SKU in this book then answer 422 SKU_NOT_PRICED.',
        tags: ['price books'],
        security,
        params: PriceParams,
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      const { bookId, sku } = request.params;
      await bookOr404(bookId);
      await priceBooks.removePrice(bookId, sku);
      return reply.status(204).send(null);
    },
  );
};
