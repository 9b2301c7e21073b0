import {
  createEventEncoder,
  createService,
  idempotencyPlugin,
  pgIdempotencyStore,
  postgresPlugin,
  redisPlugin,
} from '@shop/common';
import { customerCachePlugin } from './cache/customer-cache.js';
import type { Config } from './config.js';
import { customerRepositoryPlugin } from './db/customer-repository.js';
import { errors } from './errors.js';
import { createCustomerEvents } from './events/customer-events.js';
import { addressRoutes } from './routes/address-routes.js';
import { customerRoutes } from './routes/customer-routes.js';
import { segmentRoutes } from './routes/segment-routes.js';
import { tokenRoutes } from './routes/token-routes.js';

/** The customer-service application, ready to listen or to be injected into by tests. */
export async function buildApp(config: Config) {
  const app = await createService({
    name: 'customer',
    description: 'Customers, addresses, segments and development tokens.',
    config,
    errors,
  });
  // Stores: PostgreSQL is required; Redis is a cache, optional for readiness.
  await app.register(postgresPlugin, { connectionString: config.CUSTOMER_DATABASE_URL });
  await app.register(redisPlugin, { url: config.CUSTOMER_REDIS_URL, optional: true });
  await app.register(idempotencyPlugin, { service: 'customer', store: pgIdempotencyStore(app.pg) });
  // Events: encoded against the registry, written to the outbox in the same transaction as the change.
  await app.register(customerRepositoryPlugin, {
    events: createCustomerEvents(createEventEncoder(config.SCHEMA_REGISTRY_URL)),
  });
  await app.register(customerCachePlugin, { ttlSeconds: config.CUSTOMER_CACHE_TTL_SECONDS });
  // Routes.
  await app.register(customerRoutes);
  await app.register(addressRoutes);
  await app.register(segmentRoutes);
  await app.register(tokenRoutes, { enabled: config.CUSTOMER_DEV_TOKENS });
  return app;
}
