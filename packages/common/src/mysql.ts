import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import mysql from 'mysql2/promise';
import Postgrator from 'postgrator';
import type { IdempotencyStore } from './idempotency.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The service's MySQL-family (MariaDB) pool. */
    mysql: mysql.Pool;
  }
}

export interface MysqlOptions {
  /** `mysql://user:password@host:port/database` */
  uri: string;
  /** Pool size; small by default, several services share one server. */
  connectionLimit?: number;
}

/**
 * A pool that connects lazily (the first query opens a connection, so building an app needs no server)
 * and fails fast while the server is down instead of queueing requests for ever.
 */
export function createMysqlPool(options: MysqlOptions): mysql.Pool {
  const pool = mysql.createPool({
    uri: options.uri,
    connectionLimit: options.connectionLimit ?? 10,
    waitForConnections: true,
    // A bounded queue: when every connection is busy, a burst waits briefly instead of piling up.
    queueLimit: 200,
    connectTimeout: 2000,
    enableKeepAlive: true,
    maxIdle: options.connectionLimit ?? 10,
    idleTimeout: 30_000,
    // DATETIME/TIMESTAMP columns come back as Date in UTC, matching what the service wrote.
    timezone: 'Z',
    // BIGINT money columns stay exact: numbers while they fit, strings (never rounded floats) beyond.
    supportBigNumbers: true,
    decimalNumbers: true,
  });
  pool.on('connection', (connection) => {
    const core = connection as unknown as {
      on(event: 'error', fn: () => void): void;
      query(sql: string, callback: (err: unknown) => void): void;
    };
    // A pooled connection that the server drops (restart, network cut) must not crash the process; the
    // pool discards it and the next query opens a new one.
    core.on('error', () => undefined);
    // TIMESTAMP columns are read and written in UTC whatever the server's zone; queued before any query.
    core.query("SET time_zone = '+00:00'", () => undefined);
  });
  return pool;
}

/** `app.mysql` plus a readiness check; the pool is closed when the app closes. */
export const mysqlPlugin = fp(
  async (app: FastifyInstance, options: MysqlOptions) => {
    const pool = createMysqlPool(options);
    app.decorate('mysql', pool);
    app.addReadinessCheck({ name: 'mysql', check: () => pool.query('SELECT 1') });
    app.addHook('onClose', () => pool.end());
  },
  { name: 'kit-mysql', dependencies: ['kit-health'] },
);

/**
 * Runs `work` in one transaction on one pooled connection: committed when it resolves, rolled back when it
 * throws. Use `SELECT … FOR UPDATE` inside to serialise writers of the same row. `isolation` applies to this
 * transaction only; READ COMMITTED avoids the gap locks with which REPEATABLE READ (the server's default)
 * deadlocks writers of neighbouring keys, when row locks already give the ordering needed.
 */
export async function mysqlTransaction<T>(
  pool: mysql.Pool,
  work: (connection: mysql.PoolConnection) => Promise<T>,
  options: { isolation?: 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE' } = {},
): Promise<T> {
  const connection = await pool.getConnection();
  let broken = false;
  try {
    if (options.isolation) await connection.query(`SET TRANSACTION ISOLATION LEVEL ${options.isolation}`);
    await connection.beginTransaction();
    const result = await work(connection);
    await connection.commit();
    return result;
  } catch (err) {
    await connection.rollback().catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    // A connection whose rollback failed may still hold the transaction: destroy it rather than pool it.
    if (broken) connection.destroy();
    else connection.release();
  }
}

/**
 * Applies the SQL migrations in `dir` (postgrator: `001.do.<name>.sql`, checksums of applied files
 * verified) and returns the names applied. Concurrent starts of the same service are serialised with a
 * named server lock. MySQL commits DDL implicitly, so a file that fails halfway is not recorded and runs
 * again next time: write migrations that can run twice (`CREATE TABLE IF NOT EXISTS`).
 */
export async function migrateMysql(options: {
  uri: string;
  dir: string;
  log?: (message: string) => void;
}): Promise<string[]> {
  const database = new URL(options.uri).pathname.replace(/^\//, '');
  if (!database) throw new Error('the MySQL URL must name a database');
  const connection = await mysql.createConnection({
    uri: options.uri,
    multipleStatements: true,
    connectTimeout: 5000,
  });
  const lock = `migrate:${database}`;
  try {
    const [rows] = await connection.query('SELECT GET_LOCK(?, 60) AS got', [lock]);
    if ((rows as Array<{ got: number | null }>)[0]?.got !== 1) {
      throw new Error(`another process holds the migration lock ${lock} for more than 60 s`);
    }
    const postgrator = new Postgrator({
      driver: 'mysql',
      database,
      migrationPattern: `${options.dir.replaceAll('\\', '/')}/*.sql`,
      schemaTable: 'schemaversion',
      validateChecksums: true,
      execQuery: async (sql) => {
        const [result] = await connection.query(sql);
        return { rows: Array.isArray(result) ? (result as unknown[]) : [] };
      },
    });
    if (options.log) {
      const log = options.log;
      postgrator.on('migration-finished', (m) => log(`applied ${m.filename}`));
    }
    const applied = await postgrator.migrate();
    return applied.map((m) => `${String(m.version).padStart(3, '0')}.${m.name}`);
  } finally {
    await connection.query('SELECT RELEASE_LOCK(?)', [lock]).catch(() => undefined);
    await connection.end().catch(() => undefined);
  }
}

/**
 * Idempotency keys in the service's own MySQL-family database; keys expire after `ttlHours`. The scope is
 * stored with its SHA-256 as the primary key, because scopes can be longer than an index allows. The
 * service's migrations create the table:
 *
 * ```sql
 * CREATE TABLE IF NOT EXISTS idempotency_keys (
 *   scope_hash CHAR(64) CHARACTER SET ascii PRIMARY KEY, scope TEXT NOT NULL,
 *   fingerprint CHAR(64) CHARACTER SET ascii NOT NULL, state VARCHAR(16) NOT NULL,
 *   response_status INT NULL, response_type VARCHAR(255) NULL, response_body LONGTEXT NULL,
 *   created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), KEY (created_at));
 * ```
 */
export function mysqlIdempotencyStore(pool: mysql.Pool, ttlHours = 24): IdempotencyStore {
  const hash = (scope: string) => createHash('sha256').update(scope).digest('hex');
  return {
    async begin(scope, fingerprint) {
      const id = hash(scope);
      await pool.query(
        'DELETE FROM idempotency_keys WHERE scope_hash = ? AND created_at < NOW(6) - INTERVAL ? HOUR',
        [id, ttlHours],
      );
      // The primary key makes the insert the atomic claim; a duplicate means someone claimed it first.
      try {
        await pool.query(
          `INSERT INTO idempotency_keys (scope_hash, scope, fingerprint, state) VALUES (?, ?, ?, 'pending')`,
          [id, scope, fingerprint],
        );
        return { state: 'new' };
      } catch (err) {
        if ((err as { code?: string }).code !== 'ER_DUP_ENTRY') throw err;
      }
      const [rows] = await pool.query<mysql.RowDataPacket[]>(
        'SELECT fingerprint, state, response_status, response_type, response_body FROM idempotency_keys WHERE scope_hash = ?',
        [id],
      );
      const row = rows[0];
      if (!row) return this.begin(scope, fingerprint); // released between the two statements
      if (row.fingerprint !== fingerprint) return { state: 'mismatch' };
      if (row.state !== 'done') return { state: 'in-progress' };
      return {
        state: 'done',
        response: {
          status: Number(row.response_status),
          contentType: String(row.response_type),
          body: String(row.response_body),
        },
      };
    },
    async complete(scope, response) {
      await pool.query(
        `UPDATE idempotency_keys SET state = 'done', response_status = ?, response_type = ?, response_body = ?
         WHERE scope_hash = ?`,
        [response.status, response.contentType, response.body, hash(scope)],
      );
    },
    async release(scope) {
      await pool.query(`DELETE FROM idempotency_keys WHERE scope_hash = ? AND state = 'pending'`, [
        hash(scope),
      ]);
    },
  };
}
