import { kitConfigSchema } from '@shop/common';
import { z } from 'zod';

const flag = z
  .enum(['0', '1'])
  .default('0')
  .transform((v) => v === '1');

export const configSchema = kitConfigSchema.extend({
  CATALOG_PORT: z.coerce.number().int().min(1).max(65535).default(3002),
  /** CouchDB API with the service's login, e.g. http://admin:secret@127.0.0.1:15984 */
  CATALOG_COUCHDB_URL: z.url({ protocol: /^https?$/ }),
  CATALOG_COUCHDB_DATABASE: z
    .string()
    .regex(/^[a-z][a-z0-9_$()+/-]*$/, 'a CouchDB database name (lower case, starts with a letter)')
    .default('catalog'),
  CATALOG_S3_ENDPOINT: z.url({ protocol: /^https?$/ }),
  /** Where clients of pre-signed media URLs reach the object store, when not at CATALOG_S3_ENDPOINT. */
  CATALOG_S3_PUBLIC_ENDPOINT: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.url({ protocol: /^https?$/ }).optional(),
  ),
  CATALOG_S3_ACCESS_KEY: z.string().min(1),
  CATALOG_S3_SECRET_KEY: z.string().min(1),
  CATALOG_S3_REGION: z.string().min(1).default('us-east-1'),
  CATALOG_S3_BUCKET: z.string().min(3).max(63).default('catalog-media'),
  CATALOG_MEDIA_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(50 * 1024 * 1024)
    .default(5 * 1024 * 1024),
  CATALOG_MEDIA_URL_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 24 * 3600)
    .default(900),
  /** Lifetime of a cached storefront (GraphQL) response; changes seen on the feed drop it earlier. */
  CATALOG_STOREFRONT_CACHE_TTL_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  CATALOG_STOREFRONT_CACHE_ENTRIES: z.coerce.number().int().min(1).max(100_000).default(1000),
  /**
   * Request log level of /graphql. Storefront traffic is the bulk of the service's requests; at `info` a
   * log line per request costs more than answering it from the cache. Failures (5xx) log at any level.
   */
  CATALOG_STOREFRONT_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('warn'),
  CATALOG_GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).max(50).default(6),
  CATALOG_GRAPHQL_MAX_COST: z.coerce.number().int().min(10).max(1_000_000).default(1000),
  /** 1 runs the _changes worker that publishes catalog.product.upserted.v1 (one instance is enough). */
  CATALOG_PRODUCT_EVENTS: flag,
  CATALOG_KAFKA_BROKERS: z
    .string()
    .min(1)
    .transform((v) =>
      v
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    ),
  CATALOG_SCHEMA_REGISTRY_URL: z.url({ protocol: /^https?$/ }),
});

export type Config = z.infer<typeof configSchema>;
