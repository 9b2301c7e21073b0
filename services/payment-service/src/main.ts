import { loadConfig, serve } from '@shop/common';
import { buildApp } from './app.js';
import { configSchema } from './config.js';
import { migrate } from './db/migrate.js';

const startedAt = new Date();
const config = loadConfig(configSchema);
await migrate(config.PAYMENT_DATABASE_URL);
const app = await buildApp(config);
// Payments and Idempotency-Keys a previous process left waiting on its (in-memory) PSP: fail and release them.
const abandoned = await app.payments.recoverAbandoned(startedAt);
if (abandoned > 0) app.log.warn({ abandoned }, 'failed payments left pending by a previous process');
await serve(app, {
  port: config.PAYMENT_PORT,
  host: config.HOST,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
});
