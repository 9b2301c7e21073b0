import {
  createEventEncoder,
  createService,
  idempotencyPlugin,
  pgIdempotencyStore,
  postgresPlugin,
} from '@shop/common';
import type { Config } from './config.js';
import { priceBookRepositoryPlugin } from './db/price-book-repository.js';
import { quoteRepositoryPlugin } from './db/quote-repository.js';
import { rateRepositoryPlugin } from './db/rate-repository.js';
import { ruleRepositoryPlugin } from './db/rule-repository.js';
import { errors } from './errors.js';
import { ruleEventsPlugin } from './events/rule-events.js';
import { priceBookRoutes } from './routes/price-book-routes.js';
import { quoteRoutes } from './routes/quote-routes.js';
import { rateRoutes } from './routes/rate-routes.js';
import { ruleRoutes } from './routes/rule-routes.js';

/** The pricing-service application, ready to listen or to be injected into by tests. */
export async function buildApp(config: Config) {
  const app = await createService({
    name: 'pricing',
    description: 'Price books per region and currency, discount rules, exchange rates and persisted quotes.',
    config,
    errors,
  });
  // Store: PostgreSQL holds everything, the outbox included; the pool connects on first use.
  await app.register(postgresPlugin, { connectionString: config.PRICING_DATABASE_URL });
  await app.register(idempotencyPlugin, { service: 'pricing', store: pgIdempotencyStore(app.pg) });
  // Events: rule changes go to the outbox, encoded against the registry (which is reached lazily).
  await app.register(ruleEventsPlugin, {
    encode: createEventEncoder(config.SCHEMA_REGISTRY_URL),
  });
  await app.register(priceBookRepositoryPlugin);
  await app.register(ruleRepositoryPlugin);
  await app.register(rateRepositoryPlugin);
  await app.register(quoteRepositoryPlugin, {
    ttlSeconds: config.PRICING_QUOTE_TTL_SECONDS,
    rateMaxAgeHours: config.PRICING_RATE_MAX_AGE_HOURS,
  });
  // Routes.
  await app.register(priceBookRoutes);
  await app.register(ruleRoutes);
  await app.register(quoteRoutes);
  await app.register(rateRoutes);
  return app;
}
