// The batched path of consume() on the real broker, PostgreSQL and MariaDB: a burst with a rejected message
// in the middle and duplicates inside and across batches leaves every effect exactly once and the poison on
// the DLQ; and overlapping runBatch transactions (two members during a rebalance) never apply an id twice.
import { waitFor } from '@shop/testing';
import type { Kafka } from 'kafkajs';
import type mysql from 'mysql2/promise';
import pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConsumerHandle,
  consume,
  dlqHeaderNames,
  headersToRecord,
  mysqlProcessedStore,
  PoisonMessageError,
  type ProcessedStore,
  pgProcessedStore,
  processedEventsTableSql,
} from '../src/index.js';
import {
  createPgDatabase,
  createTopics,
  decodePayload,
  deleteTopics,
  mysqlPool,
  mysqlRoot,
  payloadOf,
  readTopic,
  runId,
  testKafka,
} from './fixtures/outbox-stack.js';

/** One database behind the processed store: how to record an effect and count them. */
interface Backend<Tx> {
  store: ProcessedStore<Tx>;
  insertEffect(tx: Tx, eventId: string): Promise<void>;
  counts(): Promise<Map<string, number>>;
  close(): Promise<void>;
}

async function pgBackend(run: string): Promise<Backend<pg.PoolClient>> {
  const db = await createPgDatabase(run, [
    processedEventsTableSql.pg,
    'CREATE TABLE effects (event_id text NOT NULL)',
  ]);
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  return {
    store: pgProcessedStore(pool),
    async insertEffect(tx, eventId) {
      await tx.query('INSERT INTO effects (event_id) VALUES ($1)', [eventId]);
    },
    async counts() {
      const { rows } = await pool.query<{ event_id: string; n: number }>(
        'SELECT event_id, count(*)::int AS n FROM effects GROUP BY event_id',
      );
      return new Map(rows.map((r) => [r.event_id, r.n]));
    },
    async close() {
      await pool.end();
      await db.drop();
    },
  };
}

async function mariaBackend(run: string): Promise<Backend<mysql.PoolConnection>> {
  const database = `common_test_batch_${run}`;
  const root = await mysqlRoot();
  try {
    await root.query(`CREATE DATABASE ${database}`);
    await root.query(`USE ${database}`);
    await root.query(processedEventsTableSql.mysql);
    await root.query('CREATE TABLE effects (event_id VARCHAR(64) NOT NULL)');
  } finally {
    await root.end();
  }
  const pool = mysqlPool(database);
  return {
    store: mysqlProcessedStore(pool),
    async insertEffect(tx, eventId) {
      await tx.query('INSERT INTO effects (event_id) VALUES (?)', [eventId]);
    },
    async counts() {
      const [rows] = await pool.query('SELECT event_id, count(*) AS n FROM effects GROUP BY event_id');
      return new Map((rows as { event_id: string; n: number }[]).map((r) => [r.event_id, Number(r.n)]));
    },
    async close() {
      await pool.end();
      const c = await mysqlRoot();
      await c.query(`DROP DATABASE IF EXISTS ${database}`).finally(() => c.end());
    },
  };
}

const backends = [
  { name: 'PostgreSQL', open: pgBackend },
  { name: 'MariaDB', open: mariaBackend },
] as const;

describe.each(backends)('batched consume on $name', ({ open }) => {
  const run = runId();
  const topic = `commontest.batch-${run}.v1`;
  const group = `common-test-batch-${run}`;
  let kafka: Kafka;
  let backend: Backend<unknown>;
  let consumer: ConsumerHandle | undefined;

  beforeAll(async () => {
    kafka = testKafka();
    backend = (await open(run)) as Backend<unknown>;
    await createTopics(kafka, [topic], 3);
  }, 60_000);

  afterAll(async () => {
    await consumer?.stop();
    await backend?.close();
    await deleteTopics(kafka, [topic, `${topic}.dlq`]);
  }, 60_000);

  it('applies a burst once per event, parks the poison in its middle and skips duplicates', async () => {
    const id = (n: number) => `e-${n}-${run}`;
    const poison = `poison-${run}`;
    const message = (n: number, body: Record<string, unknown> = { n }) => ({
      key: `aggregate-${n % 8}`,
      value: payloadOf(body),
      headers: { event_id: n < 0 ? poison : id(n) },
    });
    const burst = Array.from({ length: 500 }, (_, n) => message(n));
    // A rejected event in the middle, and one event twice in a row (same key, so in the same batch).
    burst.splice(250, 0, message(-1, { n: -1, reject: true }));
    burst.splice(100, 0, message(10));
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic, messages: burst });

    const registry = new Registry();
    consumer = await consume({
      kafka,
      groupId: group,
      topic,
      decode: decodePayload,
      processedStore: backend.store,
      registry,
      lagIntervalMs: 0,
      backoff: { initialMs: 20, maxMs: 100 },
      handler: async (event, meta, tx) => {
        await backend.insertEffect(tx, meta.eventId);
        if (event.reject) throw new PoisonMessageError('never acceptable');
      },
    });
    await waitFor(async () => (await backend.counts()).size === 500, 60_000);

    // The first fifty again, after their batches committed: all duplicates.
    await producer.send({ topic, messages: Array.from({ length: 50 }, (_, n) => message(n)) });
    await producer.disconnect();
    await waitFor(
      async () => /events_consumed_total\{[^}]*outcome="duplicate"\} 51\n/.test(await registry.metrics()),
      30_000,
    );
    await new Promise((r) => setTimeout(r, 1000));

    const counts = await backend.counts();
    expect(counts.size).toBe(500);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(counts.has(poison)).toBe(false);

    const parked = await readTopic(kafka, `${topic}.dlq`, 1);
    expect(parked).toHaveLength(1);
    expect(headersToRecord(parked[0]!.headers)).toMatchObject({
      event_id: poison,
      [dlqHeaderNames.reason]: 'rejected',
    });

    const metrics = await registry.metrics();
    expect(metrics).toMatch(/events_consumed_total\{[^}]*outcome="applied"\} 500\n/);
    expect(metrics).toMatch(/events_parked_total\{[^}]*reason="rejected"\} 1\n/);
    // Most of the burst went through chunk transactions; the poison's chunk was replayed one by one.
    expect(metrics).toMatch(/event_batches_total\{[^}]*outcome="replayed"\} 1\n/);
    const committed = Number(/event_batches_total\{[^}]*outcome="committed"\} (\d+)/.exec(metrics)?.[1] ?? 0);
    expect(committed).toBeGreaterThan(0);
  }, 120_000);

  it('never applies an id twice when two transactions record overlapping chunks at once', async () => {
    const ids = Array.from({ length: 90 }, (_, n) => `overlap-${n}-${run}`);
    const { store } = backend;
    const applyChunk = async (chunk: string[]) => {
      try {
        await store.runBatch!(`overlap-${run}`, chunk, async (tx, fresh) => {
          for (const eventId of chunk) if (fresh.has(eventId)) await backend.insertEffect(tx, eventId);
          // Holds the keys a moment, so the other transaction runs into them.
          await new Promise((r) => setTimeout(r, 200));
        });
      } catch {
        // A deadlock or concurrent duplicate: the consumer replays such a chunk one by one.
        for (const eventId of chunk)
          await store.runOnce(`overlap-${run}`, eventId, (tx) => backend.insertEffect(tx, eventId));
      }
    };
    await Promise.all([applyChunk(ids.slice(0, 60)), applyChunk(ids.slice(30).reverse())]);
    const counts = await backend.counts();
    for (const eventId of ids) expect(counts.get(eventId), eventId).toBe(1);
  }, 60_000);
});
