import { createService, idempotencyPlugin } from '@shop/common';
import type { Config } from './config.js';
import { cassandraPlugin } from './db/cassandra.js';
import { cassandraIdempotencyStore } from './db/idempotency-store.js';
import { inventoryRepositoryPlugin } from './db/inventory-repository.js';
import { errors } from './errors.js';
import { createEventEncoder } from './events/event-encoder.js';
import { inventoryWorkersPlugin } from './events/inventory-workers.js';
import { inventoryMetrics } from './inventory-metrics.js';
import { reservationRoutes } from './routes/reservation-routes.js';
import { stockRoutes } from './routes/stock-routes.js';

/** The inventory-service application, ready to listen or to be injected into by tests. */
export async function buildApp(config: Config) {
  const app = await createService({
    name: 'inventory',
    description: 'Stock per SKU and warehouse; reservations with a TTL, commit and release.',
    config,
    errors,
  });
  // Stores: Cassandra (connects on first use, so building needs no server); the registry for event payloads.
  await app.register(cassandraPlugin, {
    contactPoints: config.INVENTORY_CASSANDRA_CONTACT_POINTS,
    localDataCenter: config.INVENTORY_CASSANDRA_LOCAL_DC,
    keyspace: config.INVENTORY_CASSANDRA_KEYSPACE,
  });
  await app.register(idempotencyPlugin, {
    service: 'inventory',
    store: cassandraIdempotencyStore(app.cassandra),
  });
  await app.register(inventoryRepositoryPlugin, {
    encoder: createEventEncoder(config.INVENTORY_SCHEMA_REGISTRY_URL),
    metrics: inventoryMetrics(app.metrics),
  });
  await app.register(inventoryWorkersPlugin, { config });
  // Routes.
  await app.register(reservationRoutes, {
    defaultTtlSeconds: config.INVENTORY_RESERVATION_TTL_SECONDS,
    commitMode: config.INVENTORY_COMMIT_MODE,
  });
  await app.register(stockRoutes);
  return app;
}
