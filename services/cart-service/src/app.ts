import {
  createEventEncoder,
  createService,
  idempotencyPlugin,
  mysqlIdempotencyStore,
  mysqlPlugin,
  redisPlugin,
} from '@shop/common';
import { liveCartStorePlugin } from './cache/live-cart-store.js';
import { dependenciesPlugin } from './clients/dependencies.js';
import type { Config } from './config.js';
import { cartRepositoryPlugin } from './db/cart-repository.js';
import { errors } from './errors.js';
import { cartEventsPlugin } from './events/cart-events.js';
import { cartRoutes } from './routes/cart-routes.js';
import { itemRoutes } from './routes/item-routes.js';

/** The cart-service application, ready to listen or to be injected into by tests. */
export async function buildApp(config: Config) {
  const app = await createService({
    name: 'cart',
    description: 'Carts per customer and region: live in Redis, persisted in MariaDB, checked out once.',
    config,
    errors,
  });
  // Stores: MariaDB is the store of record and required; Redis holds live copies, optional for readiness.
  await app.register(mysqlPlugin, { uri: config.CART_DATABASE_URL });
  await app.register(redisPlugin, { url: config.CART_REDIS_URL, optional: true });
  await app.register(idempotencyPlugin, { service: 'cart', store: mysqlIdempotencyStore(app.mysql) });
  await app.register(cartEventsPlugin, { encode: createEventEncoder(config.SCHEMA_REGISTRY_URL) });
  await app.register(cartRepositoryPlugin);
  await app.register(liveCartStorePlugin, { ttlSeconds: config.CART_LIVE_TTL_SECONDS });
  // Dependencies: each with a timeout, retries for idempotent calls and a circuit breaker.
  await app.register(dependenciesPlugin, {
    pricingUrl: config.CART_PRICING_URL,
    catalogUrl: config.CART_CATALOG_URL,
    timeoutMs: config.CART_DEPENDENCY_TIMEOUT_MS,
    attempts: config.CART_DEPENDENCY_ATTEMPTS,
    breakerFailures: config.CART_BREAKER_FAILURES,
    breakerHalfOpenMs: config.CART_BREAKER_HALF_OPEN_MS,
    catalogCacheSeconds: config.CART_CATALOG_CACHE_SECONDS,
  });
  // Routes.
  await app.register(cartRoutes, { repriceAfterSeconds: config.CART_REPRICE_AFTER_SECONDS });
  await app.register(itemRoutes);
  return app;
}
