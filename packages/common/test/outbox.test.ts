import { readFileSync } from 'node:fs';
import { context, propagation, ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CASSANDRA_OUTBOX_BUCKETS,
  cassandraOutboxInsert,
  currentTraceparent,
  outboxBucket,
  outboxTableSql,
} from '../src/index.js';

const readme = readFileSync(new URL('../../../docker/debezium/README.md', import.meta.url), 'utf8');

/** Column names and types of a CREATE TABLE, comments and layout ignored. */
function columns(sql: string): string[] {
  const body = sql.slice(sql.indexOf('(') + 1, sql.lastIndexOf(')'));
  return body
    .split('\n')
    .map((line) => line.replace(/--.*$/, '').trim().replace(/,$/, '').replace(/\s+/g, ' '))
    .filter(Boolean);
}

describe('outboxTableSql', () => {
  it('is the PostgreSQL table docker/debezium/README.md defines, column for column', () => {
    const block = /```sql\n(CREATE TABLE outbox_events[\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    expect(columns(outboxTableSql.pg)).toEqual(columns(block!));
  });

  it('has the MariaDB types the README names', () => {
    const sql = outboxTableSql.mysql;
    expect(sql).toMatch(/id\s+CHAR\(36\)/);
    expect(sql).toMatch(/seq\s+BIGINT NOT NULL AUTO_INCREMENT UNIQUE/);
    expect(sql).toMatch(/payload\s+LONGBLOB/);
    expect(sql).toMatch(/occurred_at\s+TIMESTAMP\(6\)/);
    expect(columns(sql).map((c) => c.split(' ')[0])).toEqual(
      columns(outboxTableSql.pg).map((c) => c.split(' ')[0]),
    );
  });
});

describe('outboxBucket', () => {
  it('puts an aggregate in the same bucket every time, spread over all buckets', () => {
    expect(outboxBucket('order-1')).toBe(outboxBucket('order-1'));
    const seen = new Set(Array.from({ length: 1000 }, (_, i) => outboxBucket(`agg-${i}`)));
    expect(seen.size).toBe(CASSANDRA_OUTBOX_BUCKETS);
    expect(Math.max(...seen)).toBeLessThan(CASSANDRA_OUTBOX_BUCKETS);
  });
});

describe('currentTraceparent', () => {
  // The SDK as services start it (telemetry.ts): it registers the W3C propagator the writers rely on.
  const sdk = new NodeSDK({ instrumentations: [], spanProcessors: [] });
  beforeAll(() => {
    sdk.start();
  });
  afterAll(async () => {
    await sdk.shutdown();
    propagation.disable();
  });

  it('is null outside a trace', () => {
    expect(currentTraceparent()).toBeNull();
  });

  it('is the active span context in W3C format', () => {
    const span = trace.wrapSpanContext({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
    });
    const value = context.with(trace.setSpan(ROOT_CONTEXT, span), () => currentTraceparent());
    expect(value).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
  });
});

describe('cassandraOutboxInsert', () => {
  it('binds one value per column, with the aggregate bucket first and the given event id', () => {
    const statement = cassandraOutboxInsert({
      topic: 'catalog.product-changed.v1',
      aggregateType: 'product',
      aggregateId: 'p-1',
      region: 'eu-west',
      payload: Buffer.from([0, 0, 0, 0, 1]),
      eventId: 'e-1',
    });
    expect(statement.eventId).toBe('e-1');
    const placeholders = statement.query.match(/\?/g)?.length;
    expect(statement.params).toHaveLength(placeholders!);
    expect(statement.params[0]).toBe(outboxBucket('p-1'));
    expect(statement.params[2]).toBe('e-1');
  });
});
