import { DomainError } from '@shop/common';
import cassandra from 'cassandra-driver';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    cassandra: cassandra.Client;
  }
}

export interface CassandraOptions {
  contactPoints: string;
  localDataCenter: string;
  keyspace?: string;
}

/** A client that connects on its first query, so building the app needs no reachable server. */
export function createCassandra(options: CassandraOptions): cassandra.Client {
  return new cassandra.Client({
    contactPoints: options.contactPoints.split(',').map((s) => s.trim()),
    localDataCenter: options.localDataCenter,
    ...(options.keyspace ? { keyspace: options.keyspace } : {}),
    socketOptions: { connectTimeout: 3000, readTimeout: 12_000 },
    // Quorum writes and serial (Paxos) conditions: the same answers on one node as on a real cluster.
    queryOptions: {
      prepare: true,
      consistency: cassandra.types.consistencies.localQuorum,
      serialConsistency: cassandra.types.consistencies.localSerial,
    },
  });
}

/** Driver errors that mean "Cassandra cannot answer now": the caller should retry (503), not a bug. */
export function isCassandraUnavailable(err: unknown): boolean {
  const e = err as { name?: string; code?: number } | undefined;
  if (!e) return false;
  if (e.name === 'NoHostAvailableError' || e.name === 'OperationTimedOutError') return true;
  const codes = cassandra.types.responseErrorCodes;
  return [codes.unavailableException, codes.writeTimeout, codes.readTimeout, codes.overloaded].includes(
    e.code as number,
  );
}

/** Runs `fn`, turning an unreachable Cassandra into DEPENDENCY_UNAVAILABLE (503). */
export async function cql<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isCassandraUnavailable(err))
      throw new DomainError('DEPENDENCY_UNAVAILABLE', 'the inventory store is not answering; retry');
    throw err;
  }
}

/** `app.cassandra`, with a readiness check and a close hook. */
export const cassandraPlugin = fp(
  async (app: FastifyInstance, options: CassandraOptions) => {
    const client = createCassandra(options);
    app.decorate('cassandra', client);
    app.addReadinessCheck({
      name: 'cassandra',
      check: () => client.execute('SELECT release_version FROM system.local'),
    });
    app.addHook('onClose', async () => {
      await client.shutdown().catch(() => undefined);
    });
  },
  { name: 'inventory-cassandra' },
);
