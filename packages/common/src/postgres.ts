import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { runner } from 'node-pg-migrate';
import pg from 'pg';

declare module 'fastify' {
  interface FastifyInstance {
    /** The service's PostgreSQL pool. */
    pg: pg.Pool;
  }
}

export interface PostgresOptions {
  connectionString: string;
  /** Pool size; small by default, twelve services share one server. */
  max?: number;
}

/** Creates a pool that fails fast when the server is down instead of queueing requests forever. */
export function createPgPool(options: PostgresOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: 2000,
    idleTimeoutMillis: 30_000,
    query_timeout: 10_000,
  });
  // An idle client losing its connection (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  return pool;
}

/** `app.pg` plus a readiness check; the pool is closed when the app closes. */
export const postgresPlugin = fp(
  async (app: FastifyInstance, options: PostgresOptions) => {
    const pool = createPgPool(options);
    app.decorate('pg', pool);
    app.addReadinessCheck({ name: 'postgres', check: () => pool.query('SELECT 1') });
    app.addHook('onClose', () => pool.end());
  },
  { name: 'kit-postgres', dependencies: ['kit-health'] },
);

/** Runs the SQL migrations in `dir` (node-pg-migrate); applied ones are skipped, so it is safe at every start. */
export async function migratePostgres(options: {
  connectionString: string;
  dir: string;
  log?: (message: string) => void;
}): Promise<string[]> {
  const applied = await runner({
    databaseUrl: options.connectionString,
    dir: options.dir,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    count: Number.POSITIVE_INFINITY,
    singleTransaction: true,
    log: options.log ?? (() => undefined),
    verbose: false,
  });
  return applied.map((m) => m.name);
}

/**
 * Runs `work` in one transaction on one pooled client: COMMIT when it resolves, ROLLBACK when it throws. A client
 * whose connection died meanwhile, or whose ROLLBACK failed, is destroyed rather than returned to the pool.
 */
export async function pgTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  options: { isolation?: 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE' } = {},
): Promise<T> {
  const client = await pool.connect();
  // The pool listens for errors only on idle clients. A connection lost while checked out emits 'error' on the
  // client, which unhandled would kill the process; the query in flight fails anyway, so the error only needs
  // to be kept to discard the client.
  let broken: Error | undefined;
  const onError = (err: Error) => {
    broken = err;
  };
  client.on('error', onError);
  try {
    await client.query(options.isolation ? `BEGIN ISOLATION LEVEL ${options.isolation}` : 'BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackErr: Error) => {
      broken = rollbackErr;
    });
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
