import { loadConfig, serve } from '@shop/common';
import { buildApp } from './app.js';
import { configSchema } from './config.js';
import { migrate } from './db/migrate.js';

const config = loadConfig(configSchema);
await migrate(config.CUSTOMER_DATABASE_URL);
const app = await buildApp(config);
await serve(app, {
  port: config.CUSTOMER_PORT,
  host: config.HOST,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
});
