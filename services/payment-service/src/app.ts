import {
  createEventEncoder,
  createService,
  idempotencyPlugin,
  pgIdempotencyStore,
  postgresPlugin,
} from '@shop/common';
import type { Config } from './config.js';
import { paymentRepositoryPlugin } from './db/payment-repository.js';
import { errors } from './errors.js';
import { createPaymentEvents } from './events/payment-events.js';
import { paymentMetricsPlugin } from './metrics.js';
import { createMockPsp } from './psp/mock-psp.js';
import { adminRoutes } from './routes/admin-routes.js';
import { paymentRoutes } from './routes/payment-routes.js';

/** The payment-service application, ready to listen or to be injected into by tests. */
export async function buildApp(config: Config) {
  const app = await createService({
    name: 'payment',
    description:
      'Payments on a double-entry ledger, with a mock PSP that can approve, decline, fail, delay or hold.',
    config,
    errors,
  });
  await app.register(postgresPlugin, { connectionString: config.PAYMENT_DATABASE_URL });
  const idempotencyStore = pgIdempotencyStore(app.pg);
  // Bodies may carry a card number: the stored request fingerprint is keyed, never a plain hash of it.
  await app.register(idempotencyPlugin, {
    service: 'payment',
    store: idempotencyStore,
    fingerprintKey: config.PAYMENT_CARD_TOKEN_SECRET,
  });
  // Events: encoded against the registry, written to the outbox in the same transaction as the change.
  await app.register(paymentRepositoryPlugin, {
    events: createPaymentEvents(createEventEncoder(config.PAYMENT_SCHEMA_REGISTRY_URL)),
    // Past the longest hold the PSP can take, a pending payment has nobody waiting for it.
    pendingStaleSeconds: config.PAYMENT_PSP_MAX_HOLD_SECONDS + 60,
  });
  await app.register(paymentMetricsPlugin);
  const psp = createMockPsp({ maxHoldSeconds: config.PAYMENT_PSP_MAX_HOLD_SECONDS });
  await app.register(paymentRoutes, {
    psp,
    idempotencyStore,
    cardTokenSecret: config.PAYMENT_CARD_TOKEN_SECRET,
    authorizationTtlSeconds: config.PAYMENT_AUTHORIZATION_TTL_SECONDS,
  });
  await app.register(adminRoutes, { psp });
  return app;
}
