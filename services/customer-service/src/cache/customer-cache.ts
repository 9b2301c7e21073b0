import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import type { Customer } from '../domain/customer.js';

const prefix = 'customer:v1:';
// A write leaves a short-lived tombstone instead of deleting the key, and readers fill the cache with
// SET NX: a read that started before the write cannot put the old row back while the tombstone lives.
const tombstone = '__invalidated__';
const tombstoneSeconds = 5;

/**
 * Read-through cache of customers by id. Every method swallows Redis errors: a cache outage degrades
 * reads to the database, never to an error. Invalidations that could not reach Redis are remembered and
 * the whole namespace is dropped when Redis is back, so no stale row outlives an outage.
 */
export function createCustomerCache(redis: Redis, ttlSeconds: number, onError: (err: unknown) => void) {
  let missedInvalidation = false;
  redis.on('ready', () => {
    if (!missedInvalidation) return;
    void dropAll().then(
      () => {
        missedInvalidation = false;
      },
      () => undefined,
    );
  });

  async function dropAll(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }

  return {
    /** The cached customer as the JSON the API answers, ready to send without another serialisation. */
    async getJson(id: string): Promise<string | undefined> {
      try {
        const raw = await redis.get(prefix + id);
        return raw && raw !== tombstone ? raw : undefined;
      } catch (err) {
        onError(err);
        return undefined;
      }
    },
    async get(id: string): Promise<Customer | undefined> {
      const raw = await this.getJson(id);
      return raw === undefined ? undefined : (JSON.parse(raw) as Customer);
    },
    async fill(customer: Customer): Promise<void> {
      if (missedInvalidation) return;
      try {
        await redis.set(prefix + customer.id, JSON.stringify(customer), 'EX', ttlSeconds, 'NX');
      } catch (err) {
        onError(err);
      }
    },
    async invalidate(id: string): Promise<void> {
      try {
        await redis.set(prefix + id, tombstone, 'EX', tombstoneSeconds);
      } catch (err) {
        missedInvalidation = true;
        onError(err);
      }
    },
  };
}

export type CustomerCache = ReturnType<typeof createCustomerCache>;

declare module 'fastify' {
  interface FastifyInstance {
    customerCache: CustomerCache;
  }
}

export const customerCachePlugin = fp(
  async (app: FastifyInstance, options: { ttlSeconds: number }) => {
    app.decorate(
      'customerCache',
      createCustomerCache(app.redis, options.ttlSeconds, (err) =>
        app.log.debug({ err: (err as Error).message }, 'customer cache unavailable; using the database'),
      ),
    );
  },
  { name: 'customer-cache', dependencies: ['kit-redis'] },
);
