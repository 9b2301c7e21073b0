import { loadConfig, serve } from '@shop/common';
import { buildApp } from './app.js';
import { configSchema } from './config.js';
import { migrate } from './db/migrate.js';
import { registerWorkers } from './workers.js';

const config = loadConfig(configSchema);
await migrate(config.ORDER_DATABASE_URL);
const app = await buildApp(config);
registerWorkers(app, config);
await serve(app, {
  port: config.ORDER_PORT,
  host: config.HOST,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
});
