import type pg from 'pg';

export type IsolationLevel = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

/**
 * Runs `work` in one transaction on one client; any throw rolls everything back. Not the kit's
 * pgTransaction: quotes need REPEATABLE READ, and a connection lost mid-transaction must not crash the
 * process (see the listener below).
 */
export async function transaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  isolation: IsolationLevel = 'READ COMMITTED',
): Promise<T> {
  const client = await pool.connect();
  // The pool listens for errors only on idle clients. A connection that dies while checked out (server
  // restart, network cut) emits 'error' on the client, which with no listener would crash the process; the
  // query in flight fails anyway, so the error only needs to be kept to discard the client.
  let broken: Error | undefined;
  const onError = (err: Error) => {
    broken = err;
  };
  client.on('error', onError);
  try {
    await client.query(`BEGIN ISOLATION LEVEL ${isolation}`);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackErr: Error) => {
      broken = rollbackErr;
    });
    throw err;
  } finally {
    client.removeListener('error', onError);
    // A client whose connection died, or whose ROLLBACK failed, is destroyed, never reused.
    client.release(broken);
  }
}

export function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e.code === '23505' && e.constraint === constraint;
}

/** A timestamptz column as ISO-8601, or null. */
export function iso(value: unknown): string | null {
  return value ? (value as Date).toISOString() : null;
}
