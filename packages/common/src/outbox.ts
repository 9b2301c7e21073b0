// The producer side of the transactional outbox: a service inserts its event into `outbox_events` with the
// same client (so in the same transaction) as the state change, and Debezium (PostgreSQL, MariaDB) or the
// kit's relay (Cassandra) moves committed rows to Kafka. Nothing here talks to Kafka: an event exists
// exactly when the transaction that wrote it commits.
import { randomUUID } from 'node:crypto';
import { context, propagation } from '@opentelemetry/api';
import cassandra from 'cassandra-driver';
import type { Connection as MysqlConnection, PoolConnection as MysqlPoolConnection } from 'mysql2/promise';
import type pg from 'pg';

/** One event to publish; `payload` is already Avro in the registry's wire format. */
export interface OutboxEvent {
  /** `<domain>.<event>.v<N>`; the topic must exist (the broker never creates topics). */
  topic: string;
  aggregateType: string;
  /** Becomes the Kafka key: one aggregate, one partition, in order. */
  aggregateId: string;
  region: string;
  payload: Buffer;
  /** Defaults to a random UUID; pass one to make a retried write idempotent (primary key). */
  eventId?: string;
  /** Defaults to the database's clock at insert (PostgreSQL, MariaDB) or now (Cassandra). */
  occurredAt?: Date;
}

/**
 * The outbox table, exactly as docker/debezium/README.md defines it (the connectors read these columns and
 * snapshot in `seq` order). Services put it in their own migrations.
 */
export const outboxTableSql = {
  pg: `CREATE TABLE outbox_events (
  id            uuid PRIMARY KEY,
  seq           bigint GENERATED ALWAYS AS IDENTITY,
  aggregatetype text NOT NULL,
  aggregateid   text NOT NULL,
  topic         text NOT NULL,
  payload       bytea NOT NULL,
  region        text NOT NULL,
  occurred_at   timestamptz NOT NULL DEFAULT now(),
  traceparent   text
)`,
  mysql: `CREATE TABLE outbox_events (
  id            CHAR(36) NOT NULL PRIMARY KEY,
  seq           BIGINT NOT NULL AUTO_INCREMENT UNIQUE,
  aggregatetype VARCHAR(64) NOT NULL,
  aggregateid   VARCHAR(128) NOT NULL,
  topic         VARCHAR(249) NOT NULL,
  payload       LONGBLOB NOT NULL,
  region        VARCHAR(32) NOT NULL,
  occurred_at   TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  traceparent   VARCHAR(128) NULL
)`,
  /**
   * Cassandra has no CDC reader here, so the kit's relay scans this table. The partition key is a bucket
   * (a hash of the aggregate id), so the relay can enumerate every partition and one aggregate's events stay
   * in one partition, ordered by their timeuuid. Rows are deleted once Kafka acknowledged them; the short
   * gc_grace keeps the scanned partitions from filling with tombstones (a resurrected row is only a
   * duplicate, which consumers absorb).
   */
  cql: `CREATE TABLE IF NOT EXISTS outbox_events (
  bucket         int,
  seq            timeuuid,
  id             text,
  aggregatetype  text,
  aggregateid    text,
  topic          text,
  payload        blob,
  region         text,
  occurred_at    timestamp,
  traceparent    text,
  PRIMARY KEY ((bucket), seq)
) WITH CLUSTERING ORDER BY (seq ASC) AND gc_grace_seconds = 3600`,
} as const;

/** The W3C `traceparent` of the active OpenTelemetry context, or null outside a trace. */
export function currentTraceparent(): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

/** A pg client or pool client; pass the one holding the caller's open transaction, never the pool. */
export type PgQueryable = Pick<pg.ClientBase, 'query'>;

/** Inserts one event into `outbox_events` through `client`, inside the caller's transaction; returns the event id. */
export async function writeOutboxPg(client: PgQueryable, event: OutboxEvent): Promise<string> {
  const id = event.eventId ?? randomUUID();
  await client.query(
    `INSERT INTO outbox_events (id, aggregatetype, aggregateid, topic, payload, region, occurred_at, traceparent)
     VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7, now()), $8)`,
    [
      id,
      event.aggregateType,
      event.aggregateId,
      event.topic,
      event.payload,
      event.region,
      event.occurredAt ?? null,
      currentTraceparent(),
    ],
  );
  return id;
}

/** A mysql2 connection (or pool connection) holding the caller's open transaction. */
export type MysqlQueryable = Pick<MysqlConnection | MysqlPoolConnection, 'query'>;

/** Inserts one event into `outbox_events` through `conn`, inside the caller's transaction; returns the event id. */
export async function writeOutboxMysql(conn: MysqlQueryable, event: OutboxEvent): Promise<string> {
  const id = event.eventId ?? randomUUID();
  // The instant goes in as epoch milliseconds: a Date would be formatted in the client's time zone and read
  // back in the session's, and the two need not agree.
  await conn.query(
    `INSERT INTO outbox_events (id, aggregatetype, aggregateid, topic, payload, region, occurred_at, traceparent)
     VALUES (?, ?, ?, ?, ?, ?, COALESCE(FROM_UNIXTIME(? / 1000), CURRENT_TIMESTAMP(6)), ?)`,
    [
      id,
      event.aggregateType,
      event.aggregateId,
      event.topic,
      event.payload,
      event.region,
      event.occurredAt ? event.occurredAt.getTime() : null,
      currentTraceparent(),
    ],
  );
  return id;
}

/** Buckets of the Cassandra outbox; the relay scans each. Fixed per table: changing it strands rows. */
export const CASSANDRA_OUTBOX_BUCKETS = 16;

/** The bucket of an aggregate: a stable hash, so an aggregate's events share one partition and stay ordered. */
export function outboxBucket(aggregateId: string, buckets = CASSANDRA_OUTBOX_BUCKETS): number {
  // FNV-1a: stable across processes and versions, unlike anything seeded.
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(aggregateId, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % buckets;
}

/** A CQL statement for one batch: `client.batch([stateChange, statement], { prepare: true, logged: true })`. */
export interface CqlStatement {
  query: string;
  params: unknown[];
}

/**
 * The outbox insert for Cassandra, to put in the same LOGGED batch as the state change (Cassandra's only
 * all-or-nothing write across partitions). `seq` is a timeuuid from this process's clock: the relay
 * publishes a bucket in `seq` order. Returns the statement and the event id.
 */
export function cassandraOutboxInsert(
  event: OutboxEvent,
  buckets = CASSANDRA_OUTBOX_BUCKETS,
): CqlStatement & { eventId: string } {
  const id = event.eventId ?? randomUUID();
  return {
    eventId: id,
    query: `INSERT INTO outbox_events (bucket, seq, id, aggregatetype, aggregateid, topic, payload, region, occurred_at, traceparent)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    params: [
      outboxBucket(event.aggregateId, buckets),
      cassandra.types.TimeUuid.now(),
      id,
      event.aggregateType,
      event.aggregateId,
      event.topic,
      event.payload,
      event.region,
      event.occurredAt ?? new Date(),
      currentTraceparent(),
    ],
  };
}
