import multipart from '@fastify/multipart';
import { couchdbPlugin, createService, idempotencyPlugin, objectStorePlugin } from '@shop/common';
import { storefrontCachePlugin } from './cache/storefront-cache.js';
import { catalogMetricsPlugin } from './catalog-metrics.js';
import type { Config } from './config.js';
import { couchIdempotencyStore } from './db/idempotency-store.js';
import { productRepositoryPlugin } from './db/product-repository.js';
import type { MediaItem } from './domain/product.js';
import { errors } from './errors.js';
import { productEventsPlugin } from './events/product-events.js';
import { storefrontGraphqlPlugin } from './graphql/storefront-graphql.js';
import { categoryRoutes } from './routes/category-routes.js';
import { graphqlRoutes } from './routes/graphql-routes.js';
import { mediaRoutes } from './routes/media-routes.js';
import { productRoutes } from './routes/product-routes.js';

const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
type Level = (typeof levels)[number];

/** A route's level may make it quieter than the service, never louder. */
function quieter(a: Level, b: Level): Level {
  return levels.indexOf(a) >= levels.indexOf(b) ? a : b;
}

/** The catalog-service application, ready to listen or to be injected into by tests. */
export async function buildApp(config: Config) {
  const app = await createService({
    name: 'catalog',
    description: 'Products and their media: REST for administration, GraphQL for the storefront.',
    config,
    errors,
  });
  const database = config.CATALOG_COUCHDB_DATABASE;
  // Stores: both required for readiness. Neither connects before its first request.
  await app.register(couchdbPlugin, { url: config.CATALOG_COUCHDB_URL, databases: [database] });
  await app.register(objectStorePlugin, {
    endpoint: config.CATALOG_S3_ENDPOINT,
    ...(config.CATALOG_S3_PUBLIC_ENDPOINT ? { publicEndpoint: config.CATALOG_S3_PUBLIC_ENDPOINT } : {}),
    accessKey: config.CATALOG_S3_ACCESS_KEY,
    secretKey: config.CATALOG_S3_SECRET_KEY,
    region: config.CATALOG_S3_REGION,
    bucket: config.CATALOG_S3_BUCKET,
  });
  await app.register(catalogMetricsPlugin);
  await app.register(idempotencyPlugin, {
    service: 'catalog',
    store: couchIdempotencyStore(app.couch.use(database)),
  });
  await app.register(productRepositoryPlugin, {
    database,
    onInvalid: (id, problem) => {
      app.catalogMetrics.invalidDocuments.inc();
      app.log.warn({ id, problem }, 'skipped a stored document that is not a valid product');
    },
  });
  await app.register(storefrontCachePlugin, {
    database,
    ttlMs: config.CATALOG_STOREFRONT_CACHE_TTL_MS,
    maxEntries: config.CATALOG_STOREFRONT_CACHE_ENTRIES,
  });
  const urlTtlSeconds = config.CATALOG_MEDIA_URL_TTL_SECONDS;
  const sign = (item: MediaItem) => app.objects.presignedGetUrl(item.key, urlTtlSeconds);
  await app.register(multipart, {
    limits: { fileSize: config.CATALOG_MEDIA_MAX_BYTES, files: 1, fields: 5 },
  });
  await app.register(storefrontGraphqlPlugin, {
    deps: { products: app.products, mediaUrl: sign },
    maxDepth: config.CATALOG_GRAPHQL_MAX_DEPTH,
    maxCost: config.CATALOG_GRAPHQL_MAX_COST,
  });
  // Events: one instance publishing is enough; the others leave the switch off.
  if (config.CATALOG_PRODUCT_EVENTS) {
    await app.register(productEventsPlugin, {
      database,
      brokers: config.CATALOG_KAFKA_BROKERS,
      registryUrl: config.CATALOG_SCHEMA_REGISTRY_URL,
    });
  }
  // Routes.
  await app.register(productRoutes, { sign, urlTtlSeconds });
  await app.register(mediaRoutes, { sign, urlTtlSeconds, maxBytes: config.CATALOG_MEDIA_MAX_BYTES });
  await app.register(categoryRoutes);
  await app.register(graphqlRoutes, {
    logLevel: quieter(config.LOG_LEVEL, config.CATALOG_STOREFRONT_LOG_LEVEL),
  });
  return app;
}
