import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { DocumentScope } from 'nano';
import { Counter } from 'prom-client';

export interface ResponseCacheOptions {
  ttlMs: number;
  maxEntries: number;
  now?: () => number;
}

/**
 * Serialised storefront responses keyed by the request that produced them, in process. Any change to
 * the catalog drops everything: a product appears in many listings, and a listing is cheap to rebuild
 * compared with working out which ones it touched. A response computed while a change arrived is not
 * stored (the generation moved), so the cache never keeps what the change made stale.
 */
export function createResponseCache(options: ResponseCacheOptions) {
  const now = options.now ?? Date.now;
  // Bytes rather than strings: a hit is written to the socket as is, with no encoding per request.
  const entries = new Map<string, { body: Buffer; expires: number }>();
  let generation = 0;
  return {
    get(key: string): Buffer | undefined {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expires <= now()) {
        entries.delete(key);
        return undefined;
      }
      return entry.body;
    },
    /** The generation to hand back to `set`; read it before computing the response. */
    generation(): number {
      return generation;
    },
    set(key: string, body: Buffer, computedAt: number): void {
      if (computedAt !== generation || options.ttlMs === 0) return;
      // Oldest first out: a Map iterates in insertion order.
      if (entries.size >= options.maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(key, { body, expires: now() + options.ttlMs });
    },
    invalidate(): void {
      generation++;
      entries.clear();
    },
    get size(): number {
      return entries.size;
    },
  };
}

export type ResponseCache = ReturnType<typeof createResponseCache>;

declare module 'fastify' {
  interface FastifyInstance {
    storefrontCache: ResponseCache;
  }
}

export interface StorefrontCacheOptions extends ResponseCacheOptions {
  database: string;
}

/**
 * `app.storefrontCache`, invalidated by this instance's writes and by the database's `_changes` feed, so
 * writes made by another instance or directly in the database are seen within one long-poll round trip.
 * While the feed is unreachable the TTL bounds how stale an entry can be.
 */
export const storefrontCachePlugin = fp(
  async (app: FastifyInstance, options: StorefrontCacheOptions) => {
    const cache = createResponseCache(options);
    app.decorate('storefrontCache', cache);
    const invalidations = new Counter({
      name: 'catalog_storefront_cache_invalidations_total',
      help: 'Times the storefront cache was dropped, by cause',
      labelNames: ['cause'],
      registers: [app.metrics],
    });
    const db: DocumentScope<unknown> = app.couch.use(options.database);
    let following = false;
    app.addHook('onReady', async () => {
      // `now`: past changes are already reflected in an empty cache. Started after ready, so building the
      // app never needs the server; the reader retries on its own while the server is away.
      const feed = db.changesReader.start({
        since: 'now',
        includeDocs: false,
        timeout: 10_000,
        batchSize: 500,
      });
      following = true;
      feed.on('batch', () => {
        cache.invalidate();
        invalidations.inc({ cause: 'change' });
      });
      feed.on('error', (err: unknown) => {
        // Changes during the outage are replayed from the last sequence seen; dropping now is cheap insurance.
        cache.invalidate();
        invalidations.inc({ cause: 'feed-error' });
        app.log.warn(
          { err: (err as Error).message },
          'catalog _changes feed unavailable; cache bounded by TTL',
        );
      });
    });
    app.addHook('onClose', async () => {
      if (following) db.changesReader.stop();
    });
  },
  { name: 'storefront-cache', dependencies: ['kit-couchdb', 'kit-metrics'] },
);
