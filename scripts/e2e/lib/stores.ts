// Short-lived, read-only connections to the services' own stores, opened per check and closed after it:
// the final rows are read where each service keeps them, not through its API.
import cassandra from 'cassandra-driver';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import pg from 'pg';

const connectTimeoutMs = 5000;

/** Rows of one query against a MariaDB database named by a `mysql://` URL. */
export async function mysqlRows(url: string, sql: string, params: unknown[]): Promise<RowDataPacket[]> {
  const connection = await mysql.createConnection({ uri: url, connectTimeout: connectTimeoutMs });
  try {
    const [rows] = await connection.query<RowDataPacket[]>(sql, params);
    return rows;
  } finally {
    await connection.end().catch(() => undefined);
  }
}

/** Rows of one query against a PostgreSQL database named by a `postgres://` URL. */
export async function pgRows(
  url: string,
  sql: string,
  params: unknown[],
): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as Record<string, unknown>[];
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs `work` with a Cassandra session on `keyspace`, shut down afterwards. */
export async function withCassandra<T>(
  options: { contactPoints: string; localDataCenter: string; keyspace: string },
  work: (client: cassandra.Client) => Promise<T>,
): Promise<T> {
  const client = new cassandra.Client({
    contactPoints: options.contactPoints.split(','),
    localDataCenter: options.localDataCenter,
    keyspace: options.keyspace,
    socketOptions: { connectTimeout: connectTimeoutMs },
  });
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.shutdown().catch(() => undefined);
  }
}
