import { createService, idempotencyPlugin, mysqlIdempotencyStore, mysqlPlugin } from '@shop/common';
import type { Config } from './config.js';
import { orderRepositoryPlugin } from './db/order-repository.js';
import { sagaRepositoryPlugin } from './db/saga-repository.js';
import { errors } from './errors.js';
import { orderEventsPlugin } from './events/order-events.js';
import { orderRoutes } from './routes/order-routes.js';

/** The order-service application, ready to listen or to be injected into by tests; starts no workers. */
export async function buildApp(config: Config) {
  const app = await createService({
    name: 'order',
    description:
      'Orders in MariaDB: idempotent creation, a status machine, and the checkout saga orchestrator.',
    config,
    errors,
  });
  // Store: MariaDB holds orders, sagas, idempotency keys, processed events and the outbox.
  await app.register(mysqlPlugin, { uri: config.ORDER_DATABASE_URL });
  await app.register(idempotencyPlugin, { service: 'order', store: mysqlIdempotencyStore(app.mysql) });
  await app.register(orderEventsPlugin, { registryUrl: config.SCHEMA_REGISTRY_URL });
  await app.register(orderRepositoryPlugin);
  await app.register(sagaRepositoryPlugin);
  // Routes.
  await app.register(orderRoutes, {
    sagaMode: config.SAGA_MODE,
    ttlSeconds: config.ORDER_RESERVATION_TTL_SECONDS,
  });
  return app;
}
