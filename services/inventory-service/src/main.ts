import { loadConfig, serve } from '@shop/common';
import { buildApp } from './app.js';
import { configSchema } from './config.js';
import { setupSchema } from './db/schema.js';

const config = loadConfig(configSchema);
await setupSchema({
  contactPoints: config.INVENTORY_CASSANDRA_CONTACT_POINTS,
  localDataCenter: config.INVENTORY_CASSANDRA_LOCAL_DC,
  keyspace: config.INVENTORY_CASSANDRA_KEYSPACE,
});
const app = await buildApp(config);
// One switch: the relay and the sweeper run where it is on (the stack's instance), never in tests or tools.
if (config.INVENTORY_WORKERS) await app.startWorkers();
await serve(app, {
  port: config.INVENTORY_PORT,
  host: config.HOST,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
});
