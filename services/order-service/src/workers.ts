import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Config } from './config.js';
import { checkoutSteps } from './domain/checkout-saga.js';
import { startCheckoutConsumer } from './events/cart-checkout-consumer.js';
import { createSagaClients } from './saga/clients.js';
import { sagaMetrics } from './saga/saga-metrics.js';
import { type SagaRunner, startSagaRunner } from './saga/saga-runner.js';
import { createStepExecutor } from './saga/step-executor.js';

/** The saga steps with this configuration's deadlines. */
export function stepsFor(config: Config) {
  return checkoutSteps({
    authorizeMs: config.ORDER_AUTHORIZE_TIMEOUT_MS,
    // A step gets several attempts of one call before its deadline.
    defaultMs: Math.max(10_000, config.ORDER_DEPENDENCY_TIMEOUT_MS * 5),
  });
}

/** The saga runner over the app's repositories, calling the configured inventory and payment. */
export function createRunner(app: FastifyInstance, config: Config, loop: boolean): SagaRunner {
  const clients = createSagaClients({
    inventoryUrl: config.ORDER_INVENTORY_URL,
    paymentUrl: config.ORDER_PAYMENT_URL,
    timeoutMs: config.ORDER_DEPENDENCY_TIMEOUT_MS,
    sign: (claims) => app.jwt.sign(claims),
  });
  return startSagaRunner(
    {
      pool: app.mysql,
      orders: app.orders,
      sagas: app.sagas,
      executor: createStepExecutor(clients, { authorizeTimeoutMs: config.ORDER_AUTHORIZE_TIMEOUT_MS }),
      steps: stepsFor(config),
      pollMs: config.ORDER_SAGA_POLL_MS,
      batch: config.ORDER_SAGA_BATCH,
      leaseMs: config.ORDER_SAGA_LEASE_MS,
      logger: app.log,
      onFinished: sagaMetrics((app as FastifyInstance & { metrics: Registry }).metrics),
    },
    loop,
  );
}

/**
 * Starts what config switches on once the app is ready: the `cart.checkedout.v1` consumer
 * (ORDER_CONSUMERS=1) and the saga runner (ORDER_SAGA_RUNNER=1). Both stop when the app closes, after their
 * in-flight work. Call before the app is ready (hooks cannot be added afterwards).
 */
export function registerWorkers(app: FastifyInstance, config: Config): void {
  const stops: (() => Promise<void>)[] = [];
  app.addHook('onReady', async () => {
    if (config.ORDER_SAGA_RUNNER) {
      const runner = createRunner(app, config, true);
      stops.push(() => runner.stop());
    }
    if (config.ORDER_CONSUMERS) {
      // Not awaited: after a crash, joining the group waits until Kafka drops the dead member (its session
      // timeout, 30 s), longer than Fastify lets an onReady hook take, so the restarted service would fail
      // to start until then. HTTP and the saga runner go on meanwhile; a consumer that cannot start at all
      // still stops the process, as before.
      const consumer = startCheckoutConsumer(app, {
        brokers: config.ORDER_KAFKA_BROKERS,
        registryUrl: config.SCHEMA_REGISTRY_URL,
        saga: { mode: config.SAGA_MODE, ttlSeconds: config.ORDER_RESERVATION_TTL_SECONDS },
      });
      consumer.catch((err) => {
        app.log.fatal({ err }, 'the cart.checkedout.v1 consumer could not start');
        process.exit(1);
      });
      stops.push(async () => {
        await (await consumer.catch(() => undefined))?.stop();
      });
    }
  });
  app.addHook('onClose', async () => {
    await Promise.all(stops.map((stop) => stop()));
  });
}
