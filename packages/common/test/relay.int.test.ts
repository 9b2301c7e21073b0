// The relays for stores Debezium does not read, over the real Cassandra, CouchDB API and broker: an event
// written reaches Kafka (or the handler) with the same headers as the Debezium path, and a restarted worker
// carries on where it stopped — it neither skips what arrived while it was down nor starts over.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@shop/testing';
import cassandra from 'cassandra-driver';
import type { Kafka, KafkaMessage } from 'kafkajs';
import nano from 'nano';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CouchChange,
  cassandraOutboxInsert,
  headersToRecord,
  outboxTableSql,
  startCassandraRelay,
  startCouchChangesWorker,
  type WorkerHandle,
} from '../src/index.js';
import { createTopics, deleteTopics, env, payloadOf, runId, testKafka } from './fixtures/outbox-stack.js';

/** Collects every message of `topic` from the beginning until stopped. */
async function collect(kafka: Kafka, topic: string) {
  const consumer = kafka.consumer({ groupId: `relay-test-${runId()}` });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      messages.push(message);
    },
  });
  return { messages, stop: () => consumer.disconnect() };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('cassandra outbox relay', () => {
  const run = runId();
  const keyspace = `common_test_${run}`;
  const topic = `commontest.stock-reserved-${run}.v1`;
  let kafka: Kafka;
  let client: cassandra.Client;

  beforeAll(async () => {
    kafka = testKafka();
    client = new cassandra.Client({
      contactPoints: [`${env.STACK_HOST}:${env.CASSANDRA_PORT}`],
      localDataCenter: 'datacenter1',
    });
    await client.connect();
    await client.execute(
      `CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
    await client.execute(`USE ${keyspace}`);
    await client.execute(outboxTableSql.cql);
    await createTopics(kafka, [topic], 3);
  }, 60_000);

  afterAll(async () => {
    await client?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
    await client?.shutdown();
    await deleteTopics(kafka, [topic, `${topic}.dlq`]);
  }, 60_000);

  /** A state change and its event in one logged batch, as an inventory service would write them. */
  async function reserve(n: number): Promise<string> {
    const insert = cassandraOutboxInsert({
      topic,
      aggregateType: 'stock',
      aggregateId: `sku-${n % 3}`,
      region: 'eu-west',
      payload: payloadOf({ n }),
    });
    await client.batch([{ query: insert.query, params: insert.params }], { prepare: true, logged: true });
    return insert.eventId;
  }

  it('publishes each row once with the Debezium headers, and a restart picks up what came in meanwhile', async () => {
    const reader = await collect(kafka, topic);
    try {
      const registry = new Registry();
      const first = await Promise.all([1, 2, 3, 4, 5].map(reserve));
      let relay: WorkerHandle = await startCassandraRelay({ client, kafka, registry, pollIntervalMs: 100 });
      await waitFor(() => reader.messages.length >= 5, 30_000);
      await relay.stop();

      // Written while no relay runs: must be neither lost nor held back after the restart.
      const second = await Promise.all([6, 7, 8].map(reserve));
      relay = await startCassandraRelay({ client, kafka, registry, pollIntervalMs: 100 });
      await waitFor(() => reader.messages.length >= 8, 30_000);
      await pause(1500);
      await relay.stop();

      const ids = reader.messages.map((m) => headersToRecord(m.headers).event_id);
      expect(ids.sort()).toEqual([...first, ...second].sort());
      const sample = reader.messages.find((m) => headersToRecord(m.headers).event_id === first[0])!;
      const headers = headersToRecord(sample.headers);
      expect(headers).toMatchObject({ id: first[0], aggregate_type: 'stock', region: 'eu-west' });
      expect(Date.now() - Date.parse(headers.occurred_at!)).toBeLessThan(120_000);
      expect(sample.key!.toString()).toBe('sku-1');
      expect(sample.value!.subarray(5).toString()).toBe('{"n":1}');
      // Per-aggregate order holds: one aggregate's events arrive in the order they were written.
      const sku0 = reader.messages
        .filter((m) => m.key!.toString() === 'sku-0')
        .map((m) => JSON.parse(m.value!.subarray(5).toString()).n);
      expect(sku0).toEqual([3, 6]);
      // Published rows are gone; nothing is waiting to be sent again.
      const left = await client.execute('SELECT count(*) AS n FROM outbox_events');
      expect(Number(left.rows[0]!.n)).toBe(0);
      expect(await registry.metrics()).toMatch(/outbox_relay_published_total\{store="cassandra"\} 8/);
    } finally {
      await reader.stop();
    }
  }, 90_000);
});

describe('couchdb _changes worker', () => {
  const run = runId();
  const dbName = `common_test_${run}`;
  const couch = nano(
    `http://${env.COUCHDB_USER}:${env.COUCHDB_PASSWORD}@${env.STACK_HOST}:${env.COUCHDB_PORT}`,
  );
  let db: nano.DocumentScope<{ sku: string }>;

  beforeAll(async () => {
    await couch.db.create(dbName);
    db = couch.use(dbName);
  });

  afterAll(async () => {
    await couch.db.destroy(dbName).catch(() => undefined);
  });

  it('hands every change over once across a restart, and retries a failing one without skipping it', async () => {
    const seen: string[] = [];
    let failNext = 0;
    const handler = async (change: CouchChange<{ sku: string }>) => {
      if (change.doc?.sku === 'flaky' && failNext-- > 0) throw new Error('broker unavailable');
      seen.push(change.doc!.sku);
    };
    await db.bulk({ docs: [{ sku: 'a' }, { sku: 'b' }, { sku: 'c' }] });
    let worker = await startCouchChangesWorker({
      db,
      name: 'test',
      handler,
      longpollTimeoutMs: 1000,
      backoff: { initialMs: 50 },
    });
    await waitFor(() => seen.length === 3, 20_000);
    // A longpoll is in flight: stop() must cancel it rather than wait it out.
    const stopping = Date.now();
    await worker.stop();
    expect(Date.now() - stopping).toBeLessThan(900);

    const checkpoint = (await db.get('_local/changes-test')) as unknown as { last_seq: string };
    expect(checkpoint.last_seq).toBeTruthy();

    // Written while the worker is down, one of them failing twice before it goes through.
    await db.insert({ sku: 'd' });
    await db.insert({ sku: 'flaky' });
    await db.insert({ sku: 'e' });
    failNext = 2;
    const registry = new Registry();
    worker = await startCouchChangesWorker({
      db,
      name: 'test',
      handler,
      registry,
      longpollTimeoutMs: 1000,
      backoff: { initialMs: 50 },
    });
    await waitFor(() => seen.length === 6, 20_000);
    await pause(1500);
    await worker.stop();
    expect(seen.slice(0, 3).sort()).toEqual(['a', 'b', 'c']);
    // After the restart: only what came in meanwhile, in order, the failing change not skipped.
    expect(seen.slice(3)).toEqual(['d', 'flaky', 'e']);
    expect(await registry.metrics()).toMatch(/couch_changes_failures_total\{worker="test"\} 2/);

    // A third start with nothing new hands over nothing.
    worker = await startCouchChangesWorker({ db, name: 'test', handler, longpollTimeoutMs: 500 });
    await pause(1500);
    await worker.stop();
    expect(seen).toHaveLength(6);
  }, 60_000);

  it('retries a _changes answer without results instead of failing the worker', async () => {
    // The real CouchDB behind a proxy that answers the first _changes request with a body lacking
    // `results`, as a cut-short longpoll can; every other request goes through unchanged.
    let cut = 1;
    const upstream = new URL(`http://${env.STACK_HOST}:${env.COUCHDB_PORT}`);
    const proxy = http.createServer((req, res) => {
      if (req.url?.includes('/_changes') && cut-- > 0) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      const forwarded = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(forwarded);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const port = (proxy.address() as AddressInfo).port;
    const viaProxy = nano(`http://${env.COUCHDB_USER}:${env.COUCHDB_PASSWORD}@127.0.0.1:${port}`).use<{
      sku: string;
    }>(dbName);
    const seen: string[] = [];
    const worker = await startCouchChangesWorker({
      db: viaProxy,
      name: 'cut-short',
      startFrom: 'now',
      handler: async (change) => {
        seen.push(change.doc!.sku);
      },
      longpollTimeoutMs: 1000,
      backoff: { initialMs: 50 },
    });
    try {
      await db.insert({ sku: 'after-the-cut' });
      await waitFor(() => seen.includes('after-the-cut'), 20_000);
      expect(cut).toBeLessThan(1);
    } finally {
      await worker.stop();
      await new Promise((r) => proxy.close(r));
    }
  }, 60_000);
});
