// The inventory keyspace's tables. Applied by main.ts before listening and by the integration tests;
// every statement is idempotent (IF NOT EXISTS), so applying it again changes nothing.
import { outboxTableSql } from '@shop/common';
import { createCassandra } from './cassandra.js';

/** Reservation rows (and their emitted markers) disappear this long after their last write. */
export const RESERVATION_RETENTION_SECONDS = 7 * 86_400;

export const schemaCql = [
  // One partition per SKU: a region's warehouses are read in one query. Every change is a lightweight
  // transaction on `version`; `holds` names the reservations whose units the row still holds and `settled`
  // (elements with a TTL) the ones already sold or given back here, so giving
  // units back or selling them happens once per reservation, whoever (request or sweeper) gets there first.
  `CREATE TABLE IF NOT EXISTS stock (
    sku text,
    warehouse_id text,
    region text,
    available int,
    reserved int,
    sold int,
    oversold int,
    received int,
    holds map<text, int>,
    settled map<text, text>,
    version int,
    updated_at timestamp,
    PRIMARY KEY ((sku), warehouse_id)
  )`,
  // A row, not a counter: status moves only through conditional updates (IF status = ...). `emitted` is
  // the last status whose event reached the outbox; the sweeper re-emits when it lags behind `status`.
  `CREATE TABLE IF NOT EXISTS reservations (
    id text PRIMARY KEY,
    order_id text,
    sku text,
    region text,
    warehouse_id text,
    quantity int,
    status text,
    expires_at timestamp,
    created_at timestamp,
    updated_at timestamp,
    after_expiry boolean,
    release_reason text,
    emitted text
  )`,
  // Idempotency-Key records for the kit's plugin, written with a TTL instead of being swept.
  `CREATE TABLE IF NOT EXISTS idempotency_keys (
    scope text PRIMARY KEY,
    fingerprint text,
    state text,
    response_status int,
    response_type text,
    response_body text
  )`,
  outboxTableSql.cql,
];

/** Creates the keyspace (one replica: a single-node lab) and the tables. */
export async function setupSchema(options: {
  contactPoints: string;
  localDataCenter: string;
  keyspace: string;
}): Promise<void> {
  const client = createCassandra({
    contactPoints: options.contactPoints,
    localDataCenter: options.localDataCenter,
  });
  try {
    await client.execute(
      `CREATE KEYSPACE IF NOT EXISTS "${options.keyspace}"
       WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
    for (const statement of schemaCql) {
      await client.execute(
        statement.replace(
          /^CREATE TABLE IF NOT EXISTS (\w+)/,
          `CREATE TABLE IF NOT EXISTS "${options.keyspace}".$1`,
        ),
      );
    }
  } finally {
    await client.shutdown().catch(() => undefined);
  }
}
