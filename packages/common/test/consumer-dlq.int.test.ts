// Poison and failing messages are parked on `<topic>.dlq` with the reason in headers and the original key,
// value and headers intact, and the partition keeps moving: later messages are still handled.
import { waitFor } from '@shop/testing';
import type { Kafka, KafkaMessage } from 'kafkajs';
import pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConsumerHandle,
  consume,
  dlqHeaderNames,
  headersToRecord,
  PoisonMessageError,
  pgProcessedStore,
  processedEventsTableSql,
} from '../src/index.js';
import {
  createPgDatabase,
  createTopics,
  decodePayload,
  deleteTopics,
  type PgDatabase,
  payloadOf,
  readTopic,
  runId,
  testKafka,
} from './fixtures/outbox-stack.js';

describe('consumer dead-letter topic', () => {
  const run = runId();
  const topic = `commontest.dlq-${run}.v1`;
  const group = `common-test-dlq-${run}`;
  let kafka: Kafka;
  let db: PgDatabase;
  let pool: pg.Pool;
  let consumer: ConsumerHandle | undefined;

  beforeAll(async () => {
    kafka = testKafka();
    db = await createPgDatabase(run, [
      processedEventsTableSql.pg,
      'CREATE TABLE effects (event_id text NOT NULL)',
    ]);
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    await createTopics(kafka, [topic]);
  }, 60_000);

  afterAll(async () => {
    await consumer?.stop();
    await pool?.end();
    await db?.drop();
    await deleteTopics(kafka, [topic, `${topic}.dlq`]);
  }, 60_000);

  it('parks undecodable, rejected and always-failing messages with their reason and keeps consuming', async () => {
    const id = (n: string) => `${n}-${run}`;
    const poisonBytes = Buffer.from([0xff, 0x00, 0x01, 0x02]);
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { key: 'a', value: payloadOf({ n: 1 }), headers: { event_id: id('ok-1'), region: 'eu-west' } },
        { key: 'a', value: poisonBytes, headers: { event_id: id('poison'), region: 'eu-west' } },
        { key: 'a', value: payloadOf({ n: 2, fail: 'always' }), headers: { event_id: id('failing') } },
        { key: 'a', value: payloadOf({ n: 3, fail: 'reject' }), headers: { event_id: id('rejected') } },
        { key: 'a', value: payloadOf({ n: 4 }) }, // no event id: cannot be de-duplicated
        { key: 'a', value: payloadOf({ n: 5, fail: 'once' }), headers: { event_id: id('flaky') } },
        { key: 'a', value: payloadOf({ n: 6 }), headers: { event_id: id('ok-2') } },
      ],
    });
    await producer.disconnect();

    const attempts = new Map<string, number>();
    const registry = new Registry();
    consumer = await consume({
      kafka,
      groupId: group,
      topic,
      decode: decodePayload,
      processedStore: pgProcessedStore(pool),
      maxAttempts: 3,
      backoff: { initialMs: 50, maxMs: 200 },
      registry,
      lagIntervalMs: 300,
      handler: async (event, meta, tx) => {
        attempts.set(meta.eventId, meta.attempt);
        // Written before failing: the rollback must take it away, or a failed attempt would leave an effect.
        await tx.query('INSERT INTO effects (event_id) VALUES ($1)', [meta.eventId]);
        if (event.fail === 'always') throw new Error('stock service says no');
        if (event.fail === 'reject') throw new PoisonMessageError('order total is negative');
        if (event.fail === 'once' && meta.attempt === 1) throw new Error('deadlock detected');
      },
    });

    await waitFor(async () => (await pool.query('SELECT 1 FROM effects')).rowCount === 3, 30_000);
    const effects = await pool.query<{ event_id: string }>('SELECT event_id FROM effects ORDER BY event_id');
    expect(effects.rows.map((r) => r.event_id).sort()).toEqual([id('flaky'), id('ok-1'), id('ok-2')].sort());
    expect(attempts.get(id('failing'))).toBe(3);
    expect(attempts.get(id('flaky'))).toBe(2);
    expect(attempts.get(id('rejected'))).toBe(1);

    const parked = await readTopic(kafka, `${topic}.dlq`, 4);
    expect(parked).toHaveLength(4);
    const byId = (eventId: string | undefined): KafkaMessage =>
      parked.find(
        (m) => headersToRecord(m.headers).event_id === eventId || (!eventId && !m.headers?.event_id),
      )!;

    const poison = byId(id('poison'));
    const poisonHeaders = headersToRecord(poison.headers);
    expect(Buffer.compare(poison.value!, poisonBytes)).toBe(0);
    expect(poison.key!.toString()).toBe('a');
    expect(poisonHeaders).toMatchObject({
      region: 'eu-west',
      [dlqHeaderNames.reason]: 'decode',
      [dlqHeaderNames.attempts]: '1',
      [dlqHeaderNames.originalTopic]: topic,
      [dlqHeaderNames.originalPartition]: '0',
      [dlqHeaderNames.originalOffset]: '1',
      [dlqHeaderNames.consumerGroup]: group,
    });
    expect(poisonHeaders[dlqHeaderNames.error]).toContain('magic byte');
    expect(Date.now() - Date.parse(poisonHeaders[dlqHeaderNames.failedAt]!)).toBeLessThan(60_000);

    expect(headersToRecord(byId(id('failing')).headers)).toMatchObject({
      [dlqHeaderNames.reason]: 'exhausted',
      [dlqHeaderNames.attempts]: '3',
      [dlqHeaderNames.error]: 'stock service says no',
      [dlqHeaderNames.originalOffset]: '2',
    });
    expect(headersToRecord(byId(id('rejected')).headers)).toMatchObject({
      [dlqHeaderNames.reason]: 'rejected',
      [dlqHeaderNames.errorType]: 'PoisonMessageError',
    });
    expect(headersToRecord(byId(undefined).headers)).toMatchObject({
      [dlqHeaderNames.reason]: 'decode',
      [dlqHeaderNames.error]: 'message has no event_id or id header',
    });

    const metrics = await registry.metrics();
    expect(metrics).toMatch(/events_parked_total\{topic="[^"]+",group="[^"]+",reason="decode"\} 2/);
    expect(metrics).toMatch(/events_parked_total\{[^}]*reason="exhausted"\} 1/);
    expect(metrics).toMatch(/events_parked_total\{[^}]*reason="rejected"\} 1/);
    // Three failed attempts of `failing`, one of `rejected`, one of `flaky`.
    expect(metrics).toMatch(/event_handler_failures_total\{[^}]*kind="error"\} 5/);
    expect(metrics).toMatch(/events_consumed_total\{[^}]*outcome="applied"\} 3/);
    // Parked and handled messages alike are committed: nothing is left ahead of the group.
    await waitFor(
      async () => /kafka_consumer_lag\{[^}]*partition="0"[^}]*\} 0\n/.test(await registry.metrics()),
      10_000,
    );
  }, 90_000);
});
