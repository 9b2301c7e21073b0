// The whole path over real servers: a service writes an event with writeOutbox* in its transaction,
// Debezium's outbox connector (from the repo's definitions) moves it to Kafka, and consume() hands it to the
// handler exactly once, inside the writer's trace. A rolled-back transaction publishes nothing.

import { trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { waitFor } from '@shop/testing';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConsumerHandle,
  consume,
  mysqlProcessedStore,
  outboxTableSql,
  pgProcessedStore,
  processedEventsTableSql,
  writeOutboxMysql,
  writeOutboxPg,
} from '../src/index.js';
import {
  connectorTopics,
  createPgDatabase,
  createTopics,
  decodePayload,
  deleteConnector,
  deleteTopics,
  dropSlot,
  mysqlConnector,
  mysqlPool,
  mysqlRoot,
  type PgDatabase,
  payloadOf,
  pgConnector,
  runId,
  startConnector,
  testKafka,
} from './fixtures/outbox-stack.js';

const exporter = new InMemorySpanExporter();
// As telemetry.ts starts it, minus instrumentations: W3C propagation and an async context manager.
const sdk = new NodeSDK({ instrumentations: [], spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const tracer = trace.getTracer('outbox-test');
const effectsSql = 'CREATE TABLE effects (event_id text NOT NULL, order_id text NOT NULL, trace_id text)';

let kafka: Kafka;
beforeAll(() => {
  sdk.start();
  kafka = testKafka();
});
afterAll(async () => {
  await sdk.shutdown();
});

describe('outbox on PostgreSQL through Debezium', () => {
  const run = runId();
  const topic = `commontest.order-placed-${run}.v1`;
  const connector = pgConnector(run, `common_test_${run}`);
  let db: PgDatabase;
  let pool: pg.Pool;
  let consumer: ConsumerHandle | undefined;

  beforeAll(async () => {
    db = await createPgDatabase(run, [outboxTableSql.pg, processedEventsTableSql.pg, effectsSql]);
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    await createTopics(kafka, [topic]);
    await startConnector(kafka, connector);
  }, 120_000);

  afterAll(async () => {
    await consumer?.stop();
    await pool?.end();
    await deleteConnector(connector.name);
    await dropSlot(connector.config['slot.name']!);
    await db?.drop();
    await deleteTopics(kafka, [topic, `${topic}.dlq`, ...connectorTopics(connector)]);
  }, 60_000);

  it('delivers an event of a committed transaction once, in its trace, and nothing of a rolled-back one', async () => {
    const client = await pool.connect();
    let committedId = '';
    let rolledBackId = '';
    let writerTraceId = '';
    try {
      await tracer.startActiveSpan('place order', async (span) => {
        writerTraceId = span.spanContext().traceId;
        await client.query('BEGIN');
        committedId = await writeOutboxPg(client, {
          topic,
          aggregateType: 'order',
          aggregateId: 'order-1',
          region: 'eu-west',
          payload: payloadOf({ orderId: 'order-1' }),
        });
        await client.query('COMMIT');
        span.end();
      });
      await client.query('BEGIN');
      rolledBackId = await writeOutboxPg(client, {
        topic,
        aggregateType: 'order',
        aggregateId: 'order-2',
        region: 'eu-west',
        payload: payloadOf({ orderId: 'order-2' }),
      });
      await client.query('ROLLBACK');
      // A later committed event: once it is through, the rolled-back one would have been too.
      await client.query('BEGIN');
      await writeOutboxPg(client, {
        topic,
        aggregateType: 'order',
        aggregateId: 'order-3',
        region: 'us-east',
        payload: payloadOf({ orderId: 'order-3' }),
        occurredAt: new Date('2025-06-01T12:00:00.123Z'),
      });
      await client.query('COMMIT');
    } finally {
      client.release();
    }

    const seen: { eventId: string; headers: Record<string, string> }[] = [];
    const registry = new Registry();
    consumer = await consume({
      kafka,
      groupId: `common-test-${run}`,
      topic,
      decode: decodePayload,
      processedStore: pgProcessedStore(pool),
      registry,
      handler: async (event, meta, tx) => {
        seen.push({ eventId: meta.eventId, headers: meta.headers });
        await tx.query('INSERT INTO effects (event_id, order_id, trace_id) VALUES ($1, $2, $3)', [
          meta.eventId,
          event.orderId,
          trace.getActiveSpan()?.spanContext().traceId ?? null,
        ]);
      },
    });
    await waitFor(async () => (await pool.query('SELECT 1 FROM effects')).rowCount === 2, 60_000);
    await new Promise((r) => setTimeout(r, 1500));

    const { rows } = await pool.query<{ event_id: string; order_id: string; trace_id: string | null }>(
      'SELECT event_id, order_id, trace_id FROM effects ORDER BY order_id',
    );
    expect(rows.map((r) => r.order_id)).toEqual(['order-1', 'order-3']);
    expect(rows[0]!.event_id).toBe(committedId);
    expect(seen.map((s) => s.eventId)).not.toContain(rolledBackId);
    // The handler ran inside the writer's trace, carried by the traceparent header across Debezium.
    expect(rows[0]!.trace_id).toBe(writerTraceId);
    expect(seen[0]!.headers.traceparent).toMatch(new RegExp(`^00-${writerTraceId}-[0-9a-f]{16}-01$`));
    // Headers the architecture promises on every event, as the connector sets them.
    expect(seen[0]!.headers).toMatchObject({
      id: committedId,
      event_id: committedId,
      aggregate_type: 'order',
      region: 'eu-west',
    });
    expect(new Date(seen[1]!.headers.occurred_at!).toISOString()).toBe('2025-06-01T12:00:00.123Z');
    expect(exporter.getFinishedSpans().some((s) => s.name === `${topic} process`)).toBe(true);
    const applied = await registry.getSingleMetricAsString('events_consumed_total');
    expect(applied).toContain('outcome="applied"} 2');
  }, 120_000);
});

describe('outbox on MariaDB through Debezium', () => {
  const run = runId();
  const database = `common_test_${run}`;
  const topic = `commontest.cart-checked-out-${run}.v1`;
  const connector = mysqlConnector(run, database);
  let pool: ReturnType<typeof mysqlPool>;
  let consumer: ConsumerHandle | undefined;

  beforeAll(async () => {
    const conn = await mysqlRoot();
    try {
      await conn.query(`CREATE DATABASE ${database}`);
      await conn.query(`USE ${database}`);
      await conn.query(outboxTableSql.mysql);
      await conn.query(processedEventsTableSql.mysql);
      await conn.query('CREATE TABLE effects (event_id VARCHAR(64) NOT NULL, cart_id VARCHAR(64) NOT NULL)');
    } finally {
      await conn.end();
    }
    pool = mysqlPool(database);
    await createTopics(kafka, [topic]);
    await startConnector(kafka, connector);
  }, 120_000);

  afterAll(async () => {
    await consumer?.stop();
    await pool?.end();
    await deleteConnector(connector.name);
    const conn = await mysqlRoot();
    await conn.query(`DROP DATABASE IF EXISTS ${database}`).finally(() => conn.end());
    await deleteTopics(kafka, [topic, `${topic}.dlq`, ...connectorTopics(connector)]);
  }, 60_000);

  it('delivers an event of a committed transaction once and nothing of a rolled-back one', async () => {
    const conn = await pool.getConnection();
    let committedId = '';
    let rolledBackId = '';
    try {
      await conn.beginTransaction();
      committedId = await writeOutboxMysql(conn, {
        topic,
        aggregateType: 'cart',
        aggregateId: 'cart-1',
        region: 'ap-south',
        payload: payloadOf({ cartId: 'cart-1' }),
        occurredAt: new Date('2025-06-01T12:00:00.123Z'),
      });
      await conn.commit();
      await conn.beginTransaction();
      rolledBackId = await writeOutboxMysql(conn, {
        topic,
        aggregateType: 'cart',
        aggregateId: 'cart-2',
        region: 'ap-south',
        payload: payloadOf({ cartId: 'cart-2' }),
      });
      await conn.rollback();
      await conn.beginTransaction();
      await writeOutboxMysql(conn, {
        topic,
        aggregateType: 'cart',
        aggregateId: 'cart-3',
        region: 'ap-south',
        payload: payloadOf({ cartId: 'cart-3' }),
      });
      await conn.commit();
    } finally {
      conn.release();
    }

    const seen: { eventId: string; headers: Record<string, string> }[] = [];
    consumer = await consume({
      kafka,
      groupId: `common-test-${run}`,
      topic,
      decode: decodePayload,
      processedStore: mysqlProcessedStore(pool),
      handler: async (event, meta, tx) => {
        seen.push({ eventId: meta.eventId, headers: meta.headers });
        await tx.query('INSERT INTO effects (event_id, cart_id) VALUES (?, ?)', [meta.eventId, event.cartId]);
      },
    });
    await waitFor(async () => {
      const [rows] = await pool.query('SELECT 1 FROM effects');
      return (rows as unknown[]).length === 2;
    }, 60_000);
    await new Promise((r) => setTimeout(r, 1500));
    const [rows] = await pool.query('SELECT event_id, cart_id FROM effects ORDER BY cart_id');
    expect((rows as { cart_id: string }[]).map((r) => r.cart_id)).toEqual(['cart-1', 'cart-3']);
    expect(seen.map((s) => s.eventId)).not.toContain(rolledBackId);
    expect(seen[0]!.headers).toMatchObject({
      event_id: committedId,
      aggregate_type: 'cart',
      region: 'ap-south',
    });
    expect(new Date(seen[0]!.headers.occurred_at!).toISOString()).toBe('2025-06-01T12:00:00.123Z');
  }, 120_000);
});
