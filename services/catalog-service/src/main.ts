import { loadConfig, serve } from '@shop/common';
import { buildApp } from './app.js';
import { configSchema } from './config.js';
import { setupCatalog } from './db/setup.js';

const config = loadConfig(configSchema);
await setupCatalog(config.CATALOG_COUCHDB_URL, config.CATALOG_COUCHDB_DATABASE);
const app = await buildApp(config);
await serve(app, {
  port: config.CATALOG_PORT,
  host: config.HOST,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
});
