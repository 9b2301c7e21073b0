import { randomUUID } from 'node:crypto';
import { hasRole, problemResponses, type RoutesPlugin } from '@shop/common';
import { z } from 'zod';
import { checkImage, type ImageType, mediaKey } from '../domain/media.js';
import type { MediaItem } from '../domain/product.js';
import { fail } from '../errors.js';
import type { MediaSigner } from './present.js';
import { Media, MediaParams, ProductParams } from './schemas.js';

export interface MediaRoutesOptions {
  sign: MediaSigner;
  urlTtlSeconds: number;
  maxBytes: number;
}

/** Product images: uploaded through the service, stored in the object store, served by pre-signed URL. */
export const mediaRoutes: RoutesPlugin<MediaRoutesOptions> = async (app, options) => {
  const { products, objects, storefrontCache } = app;
  const present = async ({ key, ...item }: MediaItem) => ({
    ...item,
    url: await options.sign({ key, ...item }),
    urlExpiresAt: new Date(Date.now() + options.urlTtlSeconds * 1000).toISOString(),
  });

  app.post(
    '/products/:sku/media',
    {
      config: { roles: ['admin'] },
      schema: {
        summary: 'Upload an image of a product',
        description: `multipart/form-data with one part named \`file\`: PNG, JPEG or WebP (declared type and bytes must agree, else 415), at most ${options.maxBytes} bytes (else 413).`,
        tags: ['media'],
        security: [{ bearer: [] }],
        consumes: ['multipart/form-data'],
        params: ProductParams,
        response: { 201: Media, ...problemResponses(400, 401, 403, 404, 409, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      const { sku } = request.params;
      if (!request.isMultipart())
        throw fail(
          'MEDIA_TYPE_NOT_ALLOWED',
          'send multipart/form-data with the image in a part named `file`',
        );
      // Refused before a byte is stored: an unknown product or a full gallery.
      await products.assertMediaRoom(sku);
      const part = await request.file({ limits: { fileSize: options.maxBytes, files: 1 } });
      if (part?.fieldname !== 'file') {
        part?.file.resume();
        throw fail('MEDIA_FILE_MISSING', 'no multipart part named `file`');
      }
      let body: Buffer;
      try {
        body = await part.toBuffer();
      } catch (err) {
        if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
          throw fail('MEDIA_TOO_LARGE', `an image may have at most ${options.maxBytes} bytes`, {
            maxBytes: options.maxBytes,
          });
        throw err;
      }
      const refused = checkImage(part.mimetype, body.subarray(0, 16));
      if (refused) throw fail('MEDIA_TYPE_NOT_ALLOWED', refused);
      const type = part.mimetype.split(';')[0]!.trim().toLowerCase() as ImageType;
      const id = randomUUID();
      const item: MediaItem = {
        id,
        key: mediaKey(sku, id, type),
        contentType: type,
        bytes: body.length,
        uploadedAt: new Date().toISOString(),
      };
      await objects.put(item.key, body, type);
      try {
        await products.addMedia(sku, item);
      } catch (err) {
        // Nothing half-written: an object no product references is removed again.
        await objects.remove(item.key).catch((e: unknown) => {
          request.log.warn({ err: e, key: item.key }, 'could not remove an unreferenced upload');
          app.catalogMetrics.mediaOrphaned.inc();
        });
        throw err;
      }
      storefrontCache.invalidate();
      return reply
        .status(201)
        .header('location', `/products/${sku}/media/${id}`)
        .send(await present(item));
    },
  );

  app.get(
    '/products/:sku/media/:mediaId',
    {
      schema: {
        summary: 'Fetch an image',
        description: 'Redirects (302) to a pre-signed URL of the object store. Public for active products.',
        tags: ['media'],
        params: MediaParams,
        response: { 302: z.null(), ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request, reply) => {
      const { sku, mediaId } = request.params;
      const product = await products.get(sku);
      if (!product || (product.status !== 'active' && !hasRole(request.user, ['admin'])))
        throw fail('PRODUCT_NOT_FOUND', `product ${sku} does not exist`);
      const item = product.media.find((m) => m.id === mediaId);
      if (!item) throw fail('MEDIA_NOT_FOUND', `product ${sku} has no media item ${mediaId}`);
      // Short browser caching only: the URL itself expires.
      return reply.header('cache-control', 'private, max-age=60').redirect(await options.sign(item), 302);
    },
  );

  app.delete(
    '/products/:sku/media/:mediaId',
    {
      config: { roles: ['admin'] },
      schema: {
        summary: 'Remove an image',
        tags: ['media'],
        security: [{ bearer: [] }],
        params: MediaParams,
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      const { sku, mediaId } = request.params;
      const { item } = await products.removeMedia(sku, mediaId);
      storefrontCache.invalidate();
      try {
        await objects.remove(item.key);
      } catch (err) {
        request.log.warn({ err, key: item.key }, 'media object could not be removed');
        app.catalogMetrics.mediaOrphaned.inc();
      }
      return reply.status(204).send(null);
    },
  );
};
