import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis, Result } from 'ioredis';
import type { StoredCart } from '../db/cart-repository.js';

const prefix = 'cart:v1:';

// Replaces the live copy only with a newer version of the cart, atomically: a reader refilling Redis
// from MariaDB can never put back a cart older than one a writer stored meanwhile.
const putIfNewer = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, stored = pcall(cjson.decode, current)
  if ok and tonumber(stored.version) >= tonumber(ARGV[2]) then
    redis.call('EXPIRE', KEYS[1], ARGV[3])
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    cartPutIfNewer(key: string, json: string, version: number, ttlSeconds: number): Result<number, Context>;
  }
}

/**
 * Live carts in Redis, expiring after `ttlSeconds` without a change. MariaDB is the store of record and
 * every change is committed there first; this copy serves reads. Every method swallows Redis errors: a
 * Redis outage costs reads a trip to MariaDB, never an error, and a Redis loss loses no cart. Carts changed
 * while Redis was unreachable are remembered and their live copies dropped when it is back, so no stale
 * copy outlives an outage of this process's connection.
 */
export function createLiveCartStore(redis: Redis, ttlSeconds: number, onError: (err: unknown) => void) {
  redis.defineCommand('cartPutIfNewer', { numberOfKeys: 1, lua: putIfNewer });
  const missed = new Set<string>();
  redis.on('ready', () => {
    if (missed.size === 0) return;
    const ids = [...missed];
    missed.clear();
    redis.del(...ids.map((id) => prefix + id)).catch(() => {
      for (const id of ids) missed.add(id);
    });
  });

  return {
    async get(id: string): Promise<StoredCart | undefined> {
      if (missed.has(id)) return undefined;
      try {
        const raw = await redis.get(prefix + id);
        return raw ? (JSON.parse(raw) as StoredCart) : undefined;
      } catch (err) {
        onError(err);
        return undefined;
      }
    },
    /** Stores a cart just committed to MariaDB, or read from it, unless Redis holds a newer version. */
    async put(cart: StoredCart): Promise<void> {
      try {
        await redis.cartPutIfNewer(prefix + cart.id, JSON.stringify(cart), cart.version, ttlSeconds);
        missed.delete(cart.id);
      } catch (err) {
        missed.add(cart.id);
        onError(err);
      }
    },
  };
}

export type LiveCartStore = ReturnType<typeof createLiveCartStore>;

declare module 'fastify' {
  interface FastifyInstance {
    liveCarts: LiveCartStore;
  }
}

export const liveCartStorePlugin = fp(
  async (app: FastifyInstance, options: { ttlSeconds: number }) => {
    app.decorate(
      'liveCarts',
      createLiveCartStore(app.redis, options.ttlSeconds, (err) =>
        app.log.debug({ err: (err as Error).message }, 'live cart store unavailable; using MariaDB'),
      ),
    );
  },
  { name: 'live-cart-store', dependencies: ['kit-redis'] },
);
