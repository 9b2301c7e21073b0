import { DomainError, hasRole, problemResponses, type RoutesPlugin } from '@shop/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { decodeCursor, encodeCursor, type ListingFilter } from '../domain/listing.js';
import { mediaPrefix } from '../domain/media.js';
import { etagOf, type Product as ProductRecord, revisionFromIfMatch } from '../domain/product.js';
import { fail } from '../errors.js';
import { type MediaSigner, presentProduct } from './present.js';
import {
  IfMatchHeaders,
  ListQuery,
  NewProductBody,
  Product,
  ProductChangesBody,
  ProductPage,
  ProductParams,
} from './schemas.js';

export interface ProductRoutesOptions {
  sign: MediaSigner;
  urlTtlSeconds: number;
}

function isAdmin(request: FastifyRequest): boolean {
  return hasRole(request.user, ['admin']);
}

/** The revision a change is made against; a change without one could silently undo someone else's. */
function requiredRevision(header: string | undefined): string {
  if (header === undefined)
    throw fail('REVISION_REQUIRED', 'send If-Match with the revision (ETag) you read');
  const revision = revisionFromIfMatch(header);
  if (!revision) throw fail('REVISION_CONFLICT', `If-Match ${header} is not a revision of this product`);
  return revision;
}

/** Products: public reads of active products, administration for the admin role. */
export const productRoutes: RoutesPlugin<ProductRoutesOptions> = async (app, options) => {
  const { products, storefrontCache, objects } = app;
  const present = (p: ProductRecord) => presentProduct(p, options.sign, options.urlTtlSeconds);

  app.post(
    '/products',
    {
      config: { roles: ['admin'], idempotent: true },
      schema: {
        summary: 'Create a product',
        description:
          'The SKU is the identity (upper-cased); a second product with it answers 409. New products are drafts unless `status` says otherwise. Honours Idempotency-Key.',
        tags: ['products'],
        security: [{ bearer: [] }],
        body: NewProductBody,
        response: { 201: Product, ...problemResponses(400, 401, 403, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const product = await products.create(request.body);
      storefrontCache.invalidate();
      return reply
        .status(201)
        .header('location', `/products/${product.sku}`)
        .header('etag', etagOf(product))
        .send(await present(product));
    },
  );

  app.get(
    '/products',
    {
      schema: {
        summary: 'List products',
        description:
          'Filters by category, region availability, status and text; sorted by `title`, `newest` or `sku`. Keyset pagination: pass `nextCursor` back as `cursor` with the same sort.',
        tags: ['products'],
        querystring: ListQuery,
        response: { 200: ProductPage, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const { limit, cursor, sort, category, region, status, q } = request.query;
      if (status !== 'active' && !isAdmin(request))
        throw new DomainError(
          request.user ? 'FORBIDDEN' : 'UNAUTHENTICATED',
          `status=${status} needs the admin role`,
        );
      let after: string | undefined;
      if (cursor !== undefined) {
        after = decodeCursor(cursor, sort);
        if (after === undefined)
          throw fail('INVALID_CURSOR', 'use the nextCursor of a previous page with the same sort');
      }
      const filter: ListingFilter = {
        ...(status === 'any' ? {} : { status }),
        ...(category ? { category } : {}),
        ...(region ? { region } : {}),
        ...(q ? { text: q } : {}),
      };
      const page = await products.list({ filter, sort, limit, ...(after ? { after } : {}) });
      return {
        items: await Promise.all(page.items.map(present)),
        nextCursor: page.nextAfter === undefined ? null : encodeCursor(sort, page.nextAfter),
      };
    },
  );

  app.get(
    '/products/:sku',
    {
      schema: {
        summary: 'Get a product',
        description:
          'Active products are public; drafts and archived ones answer 404 except to admins. The ETag is the revision.',
        tags: ['products'],
        params: ProductParams,
        response: { 200: Product, ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request, reply) => {
      const { sku } = request.params;
      const product = await products.get(sku);
      if (!product || (product.status !== 'active' && !isAdmin(request)))
        throw fail('PRODUCT_NOT_FOUND', `product ${sku} does not exist`);
      return reply.header('etag', etagOf(product)).send(await present(product));
    },
  );

  app.patch(
    '/products/:sku',
    {
      config: { roles: ['admin'] },
      schema: {
        summary: 'Change a product',
        description:
          'Send If-Match with the revision you read; if the product changed since, 409 REVISION_CONFLICT (read it again). `attributes` replaces the whole map.',
        tags: ['products'],
        security: [{ bearer: [] }],
        params: ProductParams,
        headers: IfMatchHeaders,
        body: ProductChangesBody,
        response: { 200: Product, ...problemResponses(400, 401, 403, 404, 409, 428, 503) },
      },
    },
    async (request, reply) => {
      const revision = requiredRevision(request.headers['if-match']);
      const product = await products.update(request.params.sku, revision, request.body);
      storefrontCache.invalidate();
      return reply.header('etag', etagOf(product)).send(await present(product));
    },
  );

  app.delete(
    '/products/:sku',
    {
      config: { roles: ['admin'] },
      schema: {
        summary: 'Delete a product and its media',
        description: 'Send If-Match with the revision you read. The media objects go with the product.',
        tags: ['products'],
        security: [{ bearer: [] }],
        params: ProductParams,
        headers: IfMatchHeaders,
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 409, 428, 503) },
      },
    },
    async (request, reply) => {
      const revision = requiredRevision(request.headers['if-match']);
      const removed = await products.remove(request.params.sku, revision);
      storefrontCache.invalidate();
      try {
        // The whole prefix, not only the listed items: it also sweeps an object whose upload raced the delete.
        await objects.removePrefix(mediaPrefix(removed.sku));
      } catch (err) {
        // The product is gone and nothing references the objects any more; they are only storage.
        request.log.warn({ err, sku: removed.sku }, 'media of a deleted product could not be removed');
        app.catalogMetrics.mediaOrphaned.inc(Math.max(removed.media.length, 1));
      }
      return reply.status(204).send(null);
    },
  );
};
