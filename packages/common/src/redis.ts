import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';

declare module 'fastify' {
  interface FastifyInstance {
    redis: Redis;
  }
}

export interface RedisOptions {
  url: string;
  /** A cache is optional: /ready reports it but stays 200 without it. */
  optional?: boolean;
  /** Upper bound on one command, so a dead Redis costs a request milliseconds, not seconds. */
  commandTimeoutMs?: number;
}

/** A client that fails fast while Redis is away (no offline queue) and reconnects by itself. */
export function createRedis(options: RedisOptions): Redis {
  const client = new Redis(options.url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 250,
    connectTimeout: 1000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  return client;
}

/** `app.redis` plus a readiness check; the connection is closed when the app closes. */
export const redisPlugin = fp(
  async (app: FastifyInstance, options: RedisOptions) => {
    const client = createRedis(options);
    let reported = false;
    client.on('error', (err) => {
      // Logged once per outage: a down cache must not flood the log.
      if (!reported) app.log.warn({ err: err.message }, 'redis unavailable');
      reported = true;
    });
    client.on('ready', () => {
      if (reported) app.log.info('redis available again');
      reported = false;
    });
    app.decorate('redis', client);
    app.addReadinessCheck({ name: 'redis', optional: options.optional ?? false, check: () => client.ping() });
    app.addHook('onClose', async () => {
      client.disconnect();
    });
  },
  { name: 'kit-redis', dependencies: ['kit-health'] },
);
