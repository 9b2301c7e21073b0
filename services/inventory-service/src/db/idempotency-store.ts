import type { IdempotencyStore } from '@shop/common';
import type cassandra from 'cassandra-driver';
import { cql } from './cassandra.js';

/**
 * Idempotency keys in Cassandra. `begin` claims a key with INSERT ... IF NOT EXISTS (atomic per key); rows
 * carry a TTL, so old keys vanish without a sweeper. Completing and releasing are conditional too, so they
 * never race a concurrent claim on plain writes.
 */
export function cassandraIdempotencyStore(client: cassandra.Client, ttlHours = 24): IdempotencyStore {
  const ttl = ttlHours * 3600;
  return {
    begin: (scope, fingerprint) =>
      cql(async () => {
        const claim = await client.execute(
          `INSERT INTO idempotency_keys (scope, fingerprint, state) VALUES (?, ?, 'pending') IF NOT EXISTS USING TTL ?`,
          [scope, fingerprint, ttl],
        );
        if (claim.wasApplied()) return { state: 'new' };
        const row = (
          await client.execute(
            'SELECT fingerprint, state, response_status, response_type, response_body FROM idempotency_keys WHERE scope = ?',
            [scope],
          )
        ).first();
        if (!row) return { state: 'in-progress' };
        if (row.get('fingerprint') !== fingerprint) return { state: 'mismatch' };
        if (row.get('state') !== 'done') return { state: 'in-progress' };
        return {
          state: 'done',
          response: {
            status: Number(row.get('response_status')),
            contentType: String(row.get('response_type')),
            body: String(row.get('response_body')),
          },
        };
      }),
    complete: (scope, response) =>
      cql(async () => {
        await client.execute(
          `UPDATE idempotency_keys USING TTL ? SET state = 'done', response_status = ?, response_type = ?, response_body = ?
           WHERE scope = ? IF state = 'pending'`,
          [ttl, response.status, response.contentType, response.body, scope],
        );
      }),
    release: (scope) =>
      cql(async () => {
        await client.execute(`DELETE FROM idempotency_keys WHERE scope = ? IF state = 'pending'`, [scope]);
      }),
  };
}
