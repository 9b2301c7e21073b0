// `pnpm bench events`: outbox commit → consumer handler latency and sustained events/s, through Debezium
// (PostgreSQL) and through the kit's Cassandra relay, next to the broker's own ceiling measured in the same
// run. Every figure builds its own throwaway database/keyspace, connector and topics, and removes them even
// when it fails (or on Ctrl-C). Latency = the time the handler was called − the time the row's commit was
// sent, both read from this process's clock and carried in the payload.

import { randomUUID } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  type ConsumerHandle,
  cassandraOutboxInsert,
  consume,
  outboxTableSql,
  pgProcessedStore,
  processedEventsTableSql,
  startCassandraRelay,
  writeOutboxPg,
} from '@shop/common';
import cassandra from 'cassandra-driver';
import type { Kafka, Message, Producer } from 'kafkajs';
import pg from 'pg';
import {
  benchKafka,
  createPgDatabase,
  createTopics,
  deleteConnector,
  deleteTopicsAndGroups,
  dropSlot,
  pgConnector,
  startConnector,
} from '../events-stack.js';
import { type Columns, env, type Figure } from '../lib.js';

const rate = Number(process.env.BENCH_EVENTS_RATE ?? 500);
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
/** Roughly an order or cart event in Avro with a few lines: the size services actually publish. */
const payloadBytes = Number(process.env.BENCH_EVENT_BYTES ?? 512);
/** Records the broker ceiling pushes through as fast as it can. */
const ceilingCount = Number(process.env.BENCH_EVENTS_CEILING ?? 50_000);
/** poll.interval.ms of the comparison run: Debezium's own default (the repo's connectors poll every 50 ms). */
const defaultPollMs = process.env.BENCH_DEBEZIUM_POLL_MS ?? '500';
/** How long stragglers may take after the writer stopped before they count as lost. */
const drainMs = Number(process.env.BENCH_DRAIN_SECONDS ?? 60) * 1000;
/** Topics as services create them (ensureTopics' default). */
const partitions = 3;

export const columns: Columns = {
  rate: 'events/s',
  failures: 'lost',
  summary:
    `${rate} events/s for ${seconds}s per path (ceiling: ${ceilingCount} records at full speed), ` +
    `${payloadBytes}-byte payloads; events/s = handled / (last handled − first committed); lost = not handled ` +
    `${drainMs / 1000}s after the writer stopped, must be 0`,
};

/** Milliseconds on the wall clock with sub-millisecond resolution; one process, so one clock. */
const now = () => performance.timeOrigin + performance.now();
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wire-format framing (magic byte, schema id) around JSON padded to `payloadBytes`: the size is the point. */
function payloadOf(n: number, committedAt: number): Buffer {
  const head = Buffer.from([0, 0, 0, 0, 1]);
  const json = JSON.stringify({ n, committedAt, pad: '' });
  const pad = 'x'.repeat(Math.max(payloadBytes - head.length - json.length, 0));
  return Buffer.concat([head, Buffer.from(JSON.stringify({ n, committedAt, pad }))]);
}

function decodePayload(value: Buffer): { n: number; committedAt: number } {
  return JSON.parse(value.subarray(5).toString('utf8')) as { n: number; committedAt: number };
}

/** Cleanups of whatever is alive, newest first; run by the figure's finally, or by a signal. */
const teardowns: (() => Promise<unknown>)[] = [];
async function teardown(): Promise<void> {
  while (teardowns.length > 0) {
    const step = teardowns.pop()!;
    await step().catch((err: unknown) => console.error(`  teardown step failed: ${(err as Error).message}`));
  }
}
/** Registers a cleanup and hands back the value, so creation and its undo sit on one line. */
function owned<T>(value: T, undo: () => Promise<unknown>): T {
  teardowns.push(undo);
  return value;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    console.error(`bench events: ${signal}, removing throwaway resources`);
    void teardown().finally(() => process.exit(130));
  });

/** Per-event arrival records; warm-up events (n < 0) are not counted. */
class Arrivals {
  readonly latencies = new Map<number, number>();
  firstCommit = Number.POSITIVE_INFINITY;
  lastArrival = 0;
  warm = 0;
  record(n: number, committedAt: number, at: number): void {
    if (n < 0) {
      this.warm++;
      return;
    }
    // A duplicate that got past the processed store would show here as an overwrite; it cannot, by design.
    if (this.latencies.has(n)) return;
    this.latencies.set(n, at - committedAt);
    this.firstCommit = Math.min(this.firstCommit, committedAt);
    this.lastArrival = Math.max(this.lastArrival, at);
  }
  async waitFor(
    count: number,
    timeoutMs: number,
    what: () => number = () => this.latencies.size,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (what() < count && Date.now() < deadline) await pause(20);
  }
  figure(name: string, written: number): Figure {
    const sorted = [...this.latencies.values()].sort((a, b) => a - b);
    const at = (q: number) =>
      sorted[Math.min(Math.ceil(q * sorted.length) - 1, sorted.length - 1)] ?? Number.NaN;
    const span = (this.lastArrival - this.firstCommit) / 1000;
    const figure: Figure = {
      name,
      requestsPerSecond: sorted.length > 0 ? Math.round(sorted.length / span) : 0,
      p50ms: Math.round(at(0.5) * 10) / 10,
      p99ms: Math.round(at(0.99) * 10) / 10,
      non2xx: written - sorted.length,
    };
    console.log(
      `  ${name}: ${written} written, ${sorted.length} handled, max ${Math.round(sorted.at(-1) ?? Number.NaN)} ms`,
    );
    return figure;
  }
}

/**
 * Offers events 0..count-1 at `rate` per second, open loop as requests arrive: event i starts at
 * start + i/rate whether or not earlier ones finished (at most `maxInFlight` outstanding, so a stalled store
 * cannot pile up memory). `write` stamps the payload itself when it sends the commit, so waiting for a
 * connection is not counted as latency. Stops offering at `seconds` + 10 s whatever happened. Returns how
 * many were written.
 */
async function paced(write: (n: number) => Promise<void>): Promise<number> {
  const count = Math.round(rate * seconds);
  const maxInFlight = 1000;
  const start = now();
  const deadline = Date.now() + (seconds + 10) * 1000;
  const inFlight = new Set<Promise<void>>();
  let written = 0;
  let failed = 0;
  let firstError: unknown;
  for (let n = 0; n < count && Date.now() < deadline; ) {
    const wait = start + (n * 1000) / rate - now();
    if (wait > 1) await pause(wait);
    for (; n < count && start + (n * 1000) / rate <= now() && inFlight.size < maxInFlight; n++) {
      const p: Promise<void> = write(n).then(
        () => {
          written++;
          inFlight.delete(p);
        },
        (err: unknown) => {
          failed++;
          firstError ??= err;
          inFlight.delete(p);
        },
      );
      inFlight.add(p);
    }
    if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const took = (now() - start) / 1000;
  console.log(
    `  writer: ${written} events in ${took.toFixed(1)} s (${Math.round(written / took)}/s offered)`,
  );
  if (failed > 0) console.log(`  writer: ${failed} writes failed, first: ${(firstError as Error).message}`);
  return written;
}

/**
 * Sends each message as soon as the previous request was acknowledged, with everything that queued up in the
 * meantime in one request: what a Java producer with linger.ms=0 and one request in flight does (Connect's).
 */
function batchingSender(producer: Producer, topic: string): (message: Message) => Promise<void> {
  let pending: { message: Message; done: (err?: unknown) => void }[] = [];
  let sending = false;
  const drain = async () => {
    sending = true;
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      try {
        await producer.send({ topic, acks: -1, messages: batch.map((b) => b.message) });
        for (const b of batch) b.done();
      } catch (err) {
        for (const b of batch) b.done(err);
      }
    }
    sending = false;
  };
  return (message) =>
    new Promise<void>((resolve, reject) => {
      pending.push({ message, done: (err) => (err ? reject(err) : resolve()) });
      if (!sending) void drain();
    });
}

/** The broker alone: an idempotent acks=all producer sending batches as fast as it can, a consumer reading. */
async function brokerCeiling(kafka: Kafka, run: string): Promise<Figure> {
  const topic = `bench.events-ceiling-${run}.v1`;
  const group = `bench-events-ceiling-${run}`;
  owned(undefined, () => deleteTopicsAndGroups(kafka, [topic, `${topic}.dlq`], [group]));
  await createTopics(kafka, [topic], partitions);
  const arrivals = new Arrivals();
  await rawConsumer(kafka, topic, group, arrivals);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await owned(producer, () => producer.disconnect()).connect();
  // Warm-up: the consumer has joined and the producer has its id once one record went round.
  await producer.send({ topic, acks: -1, messages: [{ key: 'warm', value: payloadOf(-1, now()) }] });
  await arrivals.waitFor(1, 60_000, () => arrivals.warm);
  const batch = 500;
  const deadline = Date.now() + 60_000;
  let sent = 0;
  for (; sent < ceilingCount && Date.now() < deadline; sent += batch) {
    const messages = Array.from({ length: Math.min(batch, ceilingCount - sent) }, (_, i) => ({
      key: `aggregate-${(sent + i) % 64}`,
      value: payloadOf(sent + i, now()),
    }));
    await producer.send({ topic, acks: -1, messages });
  }
  await arrivals.waitFor(ceilingCount, drainMs);
  return arrivals.figure(`kafka ceiling (${batch}/batch, full speed)`, Math.min(sent, ceilingCount));
}

/** The broker alone at the paced rate, acks=all, batching only what queued during a request: the floor. */
async function brokerPaced(kafka: Kafka, run: string): Promise<Figure> {
  const topic = `bench.events-paced-${run}.v1`;
  const group = `bench-events-paced-${run}`;
  owned(undefined, () => deleteTopicsAndGroups(kafka, [topic, `${topic}.dlq`], [group]));
  await createTopics(kafka, [topic], partitions);
  const arrivals = new Arrivals();
  await rawConsumer(kafka, topic, group, arrivals);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await owned(producer, () => producer.disconnect()).connect();
  const send = batchingSender(producer, topic);
  await send({ key: 'warm', value: payloadOf(-1, now()) });
  await arrivals.waitFor(1, 60_000, () => arrivals.warm);
  const written = await paced((n) => send({ key: `aggregate-${n % 64}`, value: payloadOf(n, now()) }));
  await arrivals.waitFor(written, drainMs);
  return arrivals.figure('kafka paced (acks=all, 1 in flight)', written);
}

/** A bare kafkajs consumer that records arrivals: the broker's side of the path, without consume()'s work. */
async function rawConsumer(kafka: Kafka, topic: string, group: string, arrivals: Arrivals): Promise<void> {
  const consumer = kafka.consumer({ groupId: group });
  await owned(consumer, () => consumer.disconnect()).connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const { n, committedAt } = decodePayload(message.value!);
      arrivals.record(n, committedAt, now());
    },
  });
}

/** A consume() consumer as a service runs it, whose handler records the arrival and writes one effect row. */
async function benchConsumer(
  kafka: Kafka,
  topic: string,
  group: string,
  pool: pg.Pool,
  arrivals: Arrivals,
  concurrency: number,
): Promise<ConsumerHandle> {
  const consumer = await consume({
    kafka,
    groupId: group,
    topic,
    decode: (value) => decodePayload(value),
    processedStore: pgProcessedStore(pool),
    partitionsConsumedConcurrently: concurrency,
    // Nobody reads the lag gauge here; its admin polls would only add noise.
    lagIntervalMs: 0,
    handler: async (event, meta, tx) => {
      const at = now();
      arrivals.record(event.n, event.committedAt, at);
      await tx.query('INSERT INTO bench_effects (event_id, latency_ms) VALUES ($1, $2)', [
        meta.eventId,
        at - event.committedAt,
      ]);
    },
  });
  return owned(consumer, () => consumer.stop());
}

const effectsSql =
  'CREATE TABLE bench_effects (event_id text PRIMARY KEY, latency_ms double precision NOT NULL)';

/** How one outbox path is measured: the consume() settings, and whether a bare consumer probes the topic. */
interface PathOptions {
  label: string;
  /** consume()'s partitionsConsumedConcurrently (services run the default, 1). */
  concurrency: number;
}

/**
 * Runs the paced writer into an outbox whose events reach `topic`, with consume() (the figure) and a bare
 * kafkajs consumer (the detail line: how much of the latency is already there when the record is readable).
 */
async function measurePath(
  kafka: Kafka,
  topic: string,
  group: string,
  pool: pg.Pool,
  options: PathOptions,
  write: (n: number) => Promise<void>,
): Promise<Figure> {
  owned(undefined, () => deleteTopicsAndGroups(kafka, [], [group, `${group}-probe`]));
  const arrivals = new Arrivals();
  const probe = new Arrivals();
  await benchConsumer(kafka, topic, group, pool, arrivals, options.concurrency);
  await rawConsumer(kafka, topic, `${group}-probe`, probe);
  // Warm-up through the whole path: both groups joined and the source streams before the clock starts.
  await Promise.all([-1, -2, -3].map((n) => write(n)));
  await arrivals.waitFor(3, 90_000, () => Math.min(arrivals.warm, probe.warm));
  if (arrivals.warm < 3 || probe.warm < 3)
    throw new Error(`${options.label}: warm-up did not arrive in 90 s`);
  const written = await paced(write);
  await arrivals.waitFor(written, drainMs);
  await probe.waitFor(written, 5000);
  const readable = probe.figure(`${options.label}, readable on the broker`, written);
  console.log(`    (commit → readable on the broker: p50 ${readable.p50ms} ms, p99 ${readable.p99ms} ms)`);
  return arrivals.figure(options.label, written);
}

/** PostgreSQL outbox → Debezium (the repo's connector, plus `tuning`) → Kafka → consume(). */
async function throughDebezium(
  kafka: Kafka,
  options: PathOptions,
  tuning: Record<string, string>,
): Promise<Figure> {
  const run = randomUUID().slice(0, 8);
  const topic = `bench.events-debezium-${run}.v1`;
  const db = await createPgDatabase(run, [outboxTableSql.pg, processedEventsTableSql.pg, effectsSql]);
  owned(db, () => db.drop());
  const connector = pgConnector(run, db.name, tuning);
  owned(undefined, () => deleteTopicsAndGroups(kafka, [topic, `${topic}.dlq`, connector.heartbeatTopic], []));
  await createTopics(kafka, [topic], partitions);
  // Connector first, slot next: undone in the other order (the slot can only go once the connector let go).
  owned(undefined, () => dropSlot(connector.config['slot.name']!));
  owned(undefined, () => deleteConnector(connector.name));
  await startConnector(kafka, connector);

  // Writers and the consumer on separate pools, so neither waits for the other's connections.
  const writerPool: pg.Pool = owned(new pg.Pool({ connectionString: db.url, max: 16 }), () =>
    writerPool.end(),
  );
  const pool: pg.Pool = owned(new pg.Pool({ connectionString: db.url, max: 4 }), () => pool.end());
  const write = async (n: number) => {
    const client = await writerPool.connect();
    try {
      // One autocommit INSERT: the row commits when the statement returns, so the stamp is at most one round
      // trip before the commit (latency is overstated by that much, never understated).
      await writeOutboxPg(client, {
        topic,
        aggregateType: 'bench',
        aggregateId: `aggregate-${n % 64}`,
        region: 'eu-west',
        payload: payloadOf(n, now()),
      });
    } finally {
      client.release();
    }
  };
  return measurePath(kafka, topic, `bench-events-debezium-${run}`, pool, options, write);
}

/** Cassandra outbox (a LOGGED batch per event) → the kit's relay, defaults as services run it → consume(). */
async function throughRelay(kafka: Kafka, options: PathOptions): Promise<Figure> {
  const run = randomUUID().slice(0, 8);
  const keyspace = `bench_events_${run}`;
  const topic = `bench.events-relay-${run}.v1`;
  // The processed store is PostgreSQL as in every service, so the consumer side matches the Debezium path.
  const db = await createPgDatabase(run, [processedEventsTableSql.pg, effectsSql]);
  owned(db, () => db.drop());
  owned(undefined, () => deleteTopicsAndGroups(kafka, [topic, `${topic}.dlq`], []));
  await createTopics(kafka, [topic], partitions);
  const client = new cassandra.Client({
    contactPoints: [`${env.STACK_HOST}:${env.CASSANDRA_PORT}`],
    localDataCenter: 'datacenter1',
  });
  await owned(client, () => client.shutdown()).connect();
  owned(undefined, () => client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`));
  await client.execute(
    `CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
  );
  await client.execute(`USE ${keyspace}`);
  await client.execute(outboxTableSql.cql);

  const pool: pg.Pool = owned(new pg.Pool({ connectionString: db.url, max: 4 }), () => pool.end());
  const relay = await startCassandraRelay({ client, kafka });
  owned(relay, () => relay.stop());
  const write = async (n: number) => {
    const insert = cassandraOutboxInsert({
      topic,
      aggregateType: 'bench',
      aggregateId: `aggregate-${n % 64}`,
      region: 'eu-west',
      payload: payloadOf(n, now()),
    });
    await client.batch([{ query: insert.query, params: insert.params }], { prepare: true, logged: true });
  };
  return measurePath(kafka, topic, `bench-events-relay-${run}`, pool, options, write);
}

/** Runs one figure and removes everything it created, whether it succeeded or not. */
async function isolated(title: string, measure: () => Promise<Figure>): Promise<Figure> {
  // Everything shares this machine's cores with the stack: a busy machine explains a slow figure.
  console.log(`- ${title} (load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores)`);
  try {
    return await measure();
  } finally {
    await teardown();
  }
}

export default async function eventsSuite(): Promise<Figure[]> {
  const run = randomUUID().slice(0, 8);
  const kafka = benchKafka(`bench-events-${run}`);
  const untuned = { 'poll.interval.ms': defaultPollMs };
  const figures: Figure[] = [];
  figures.push(await isolated('broker ceiling', () => brokerCeiling(kafka, run)));
  figures.push(await isolated('broker paced', () => brokerPaced(kafka, run)));
  figures.push(
    await isolated('debezium, repo connector', () =>
      throughDebezium(kafka, { label: 'debezium (repo config)', concurrency: 1 }, {}),
    ),
  );
  figures.push(
    await isolated('debezium, repo connector, 3 partitions at once', () =>
      throughDebezium(kafka, { label: 'debezium (repo config, concurrency 3)', concurrency: 3 }, {}),
    ),
  );
  figures.push(
    await isolated(`debezium, poll.interval.ms=${defaultPollMs} (Debezium's default)`, () =>
      throughDebezium(kafka, { label: `debezium (poll ${defaultPollMs} ms)`, concurrency: 1 }, untuned),
    ),
  );
  figures.push(
    await isolated('cassandra relay', () =>
      throughRelay(kafka, { label: 'cassandra relay (kit defaults)', concurrency: 1 }),
    ),
  );
  return figures;
}
