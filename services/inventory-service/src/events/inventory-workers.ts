// The background work of one instance: the outbox relay to Kafka and the sweeper (expiry, repair, global
// availability). Started by main.ts when INVENTORY_WORKERS=1; a second instance doing the same is safe
// (LWTs make each expiry happen once; a second relay only publishes duplicates that consumers drop).
import { createKafka, startCassandraRelay, type WorkerHandle } from '@shop/common';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import '../inventory-metrics.js';

// The kit wants a pino BaseLogger; Fastify's logger is pino, typed more loosely.
type KitLogger = NonNullable<Parameters<typeof startCassandraRelay>[0]['logger']>;

/** Starts the relay and the sweeper. */
async function startWorkers(app: FastifyInstance, config: Config): Promise<WorkerHandle> {
  const kafka = createKafka({
    brokers: config.INVENTORY_KAFKA_BROKERS.split(','),
    clientId: 'inventory-relay',
    logger: app.log as unknown as KitLogger,
  });
  const relay = await startCassandraRelay({
    client: app.cassandra,
    kafka,
    logger: app.log as unknown as KitLogger,
    registry: app.metrics,
  });
  const stopping = new AbortController();
  // Global figures are published at most every 5 s per changed SKU, not on every reservation.
  const published = new Map<string, number>();
  let lastGlobal = 0;
  const sweeper = (async () => {
    while (!stopping.signal.aborted) {
      try {
        await app.inventory.sweep();
        if (Date.now() - lastGlobal >= 5000) {
          await app.inventory.publishGlobalUpdates(published, 'eu-west');
          lastGlobal = Date.now();
        }
      } catch (err) {
        app.log.warn({ err }, 'inventory sweep failed; retrying');
      }
      await new Promise((r) => {
        const t = setTimeout(r, config.INVENTORY_SWEEP_INTERVAL_MS);
        stopping.signal.addEventListener('abort', () => {
          clearTimeout(t);
          r(undefined);
        });
      });
    }
  })();
  const handle: WorkerHandle = {
    async stop() {
      stopping.abort();
      await sweeper;
      await relay.stop();
    },
  };
  return handle;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Starts the outbox relay and the sweeper in this process; the app's close stops them. */
    startWorkers(): Promise<void>;
  }
}

/** `app.startWorkers()`, kept out of buildApp's ready() so building never needs Kafka. */
export const inventoryWorkersPlugin = fp(
  async (app: FastifyInstance, options: { config: Config }) => {
    let handle: WorkerHandle | undefined;
    app.decorate('startWorkers', async () => {
      handle ??= await startWorkers(app, options.config);
    });
    app.addHook('onClose', async () => {
      await handle?.stop();
    });
  },
  { name: 'inventory-workers', dependencies: ['inventory-repository'] },
);
