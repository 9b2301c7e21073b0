// The consumer side: decode, de-duplicate, apply, retry, park. Delivery is at-least-once from every producer
// path (Debezium, the relays, consumer restarts), so a handler's effect and the record that its event was
// processed are written in one transaction on the service's own database; a redelivered event finds its id
// already recorded and is skipped. Offsets are committed only for messages whose effect is durable (or that
// were parked on the DLQ), so a crash can redeliver but never skip. docs/design/decisions/060.
//
// Fast path: when the store can record many ids at once (`runBatch`), each fetched batch of a partition is
// applied in chunks of up to `maxBatchSize` messages, one transaction per chunk: the ids are recorded, the
// handler runs for the new ones in offset order, and the chunk's last offset is resolved only after the
// commit. Any failure in a chunk (decode, handler, PoisonMessageError, deadlock, missing id) rolls the whole
// chunk back and replays its messages one by one through the per-message path, so retries, backoff and DLQ
// parking behave exactly as without batching; a handler may therefore run again after a rolled-back chunk.

import type { Context } from '@opentelemetry/api';
import { context, propagation, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { EachBatchPayload, EachMessagePayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Pool as MysqlPool, PoolConnection as MysqlPoolConnection, RowDataPacket } from 'mysql2/promise';
import type pg from 'pg';
import type { BaseLogger } from 'pino';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { isUnavailable } from './errors.js';
import { type BackoffOptions, backoffDelay, sleep } from './events/backoff.js';
import { dlqHeaders, eventHeaders, eventIdOf, headersToRecord, type ParkReason } from './events/headers.js';
import { mysqlTransaction } from './mysql.js';
import { pgTransaction } from './postgres.js';

/** What the handler learns about the message besides the decoded event. */
export interface EventMeta {
  eventId: string;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** Every header as text (`event_id`, `aggregate_type`, `region`, `occurred_at`, `traceparent`, ...). */
  headers: Record<string, string>;
  aggregateType: string | undefined;
  region: string | undefined;
  occurredAt: string | undefined;
  /** 1 on the first try; the handler may be called again for the same message after a failure. */
  attempt: number;
}

/** A function from payload bytes to an event, or a registry client (`@kafkajs/confluent-schema-registry`). */
export type Decoder<T> =
  | ((value: Buffer, meta: Omit<EventMeta, 'attempt'>) => T | Promise<T>)
  | { decode(buffer: Buffer): Promise<unknown> };

/** Applies one event; writes its effect through `tx`, which commits together with the processed-event record. */
export type EventHandler<T, Tx> = (event: T, meta: EventMeta, tx: Tx) => Promise<void>;

/**
 * Runs `fn` in a transaction on the service's database that also records `(groupId, eventId)` in
 * `processed_events`; answers false, without calling `fn`, when the pair is already recorded.
 */
export interface ProcessedStore<Tx> {
  runOnce(groupId: string, eventId: string, fn: (tx: Tx) => Promise<void>): Promise<boolean>;
  /**
   * Optional fast path: one transaction that records every `(groupId, eventId)` pair and calls `fn` with the
   * ids that were not recorded before (`fresh`); commits when `fn` resolves, rolls everything back when it
   * throws. Answers the fresh ids. Any error (a deadlock, a concurrent duplicate) may simply be thrown: the
   * consumer then replays the messages one by one through `runOnce`.
   */
  runBatch?(
    groupId: string,
    eventIds: readonly string[],
    fn: (tx: Tx, fresh: ReadonlySet<string>) => Promise<void>,
  ): Promise<ReadonlySet<string>>;
}

/** Thrown by a handler for an event that can never succeed (a rule violation, not an outage): parked at once. */
export class PoisonMessageError extends Error {
  override name = 'PoisonMessageError';
}

/** The processed-events tables; each service adds the one for its database to its migrations. */
export const processedEventsTableSql = {
  pg: `CREATE TABLE processed_events (
  consumer_group text NOT NULL,
  event_id       text NOT NULL,
  processed_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, event_id)
)`,
  mysql: `CREATE TABLE processed_events (
  consumer_group VARCHAR(128) NOT NULL,
  event_id       VARCHAR(64) NOT NULL,
  processed_at   TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (consumer_group, event_id)
)`,
} as const;

/** The processed store on PostgreSQL: the handler's `tx` is a pool client inside BEGIN ... COMMIT. */
export function pgProcessedStore(pool: pg.Pool): ProcessedStore<pg.PoolClient> {
  return {
    runOnce: (groupId, eventId, fn) =>
      pgTransaction(pool, async (client) => {
        // A concurrent duplicate (two members during a rebalance) waits here on the key until the first
        // commits, then conflicts: exactly one of them applies the effect. A duplicate commits nothing.
        const inserted = await client.query(
          'INSERT INTO processed_events (consumer_group, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
          [groupId, eventId],
        );
        if (inserted.rowCount === 0) return false;
        await fn(client);
        return true;
      }),
    runBatch: (groupId, eventIds, fn) =>
      pgTransaction(pool, async (client) => {
        // Sorted, so two members recording overlapping chunks take the key locks in the same order. As in
        // runOnce, a concurrent duplicate waits on its key, then conflicts and is left out of RETURNING.
        const ids = [...new Set(eventIds)].sort();
        const inserted = await client.query<{ event_id: string }>(
          `INSERT INTO processed_events (consumer_group, event_id)
           SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING RETURNING event_id`,
          [groupId, ids],
        );
        const fresh: ReadonlySet<string> = new Set(inserted.rows.map((r) => r.event_id));
        await fn(client, fresh);
        return fresh;
      }),
  };
}

/** The processed store on MariaDB/MySQL: the handler's `tx` is a pool connection inside a transaction. */
export function mysqlProcessedStore(pool: MysqlPool): ProcessedStore<MysqlPoolConnection> {
  return {
    runOnce: (groupId, eventId, fn) =>
      mysqlTransaction(pool, async (conn) => {
        try {
          // A plain INSERT, not INSERT IGNORE: IGNORE would also turn truncation and other errors into warnings.
          await conn.query('INSERT INTO processed_events (consumer_group, event_id) VALUES (?, ?)', [
            groupId,
            eventId,
          ]);
        } catch (err) {
          // Already recorded: the failed statement changed nothing, so committing the empty transaction is fine.
          if ((err as { code?: string }).code === 'ER_DUP_ENTRY') return false;
          throw err;
        }
        await fn(conn);
        return true;
      }),
    runBatch: (groupId, eventIds, fn) =>
      mysqlTransaction(pool, async (conn) => {
        // Ids already committed are read first, the rest inserted with a plain multi-row INSERT (not IGNORE, see
        // runOnce). An id another member commits in between makes the INSERT fail with ER_DUP_ENTRY (one it
        // holds uncommitted makes it wait, then fail or pass): the chunk rolls back and is replayed one by one.
        const ids = [...new Set(eventIds)].sort();
        const [rows] =
          ids.length === 0
            ? [[] as RowDataPacket[]]
            : await conn.query<RowDataPacket[]>(
                'SELECT event_id FROM processed_events WHERE consumer_group = ? AND event_id IN (?)',
                [groupId, ids],
              );
        const recorded = new Set(rows.map((r) => String(r.event_id)));
        const fresh: ReadonlySet<string> = new Set(ids.filter((id) => !recorded.has(id)));
        if (fresh.size > 0)
          await conn.query('INSERT INTO processed_events (consumer_group, event_id) VALUES ?', [
            [...fresh].map((id) => [groupId, id]),
          ]);
        await fn(conn, fresh);
        return fresh;
      }),
  };
}

export interface ConsumeOptions<T, Tx> {
  kafka: Kafka;
  groupId: string;
  /** One topic or several; each needs its `<topic>.dlq`. */
  topic?: string;
  topics?: string[];
  decode: Decoder<T>;
  handler: EventHandler<T, Tx>;
  processedStore: ProcessedStore<Tx>;
  /** Attempts before a failing message is parked (default 5). Outages of the service's database do not count. */
  maxAttempts?: number;
  backoff?: BackoffOptions;
  /** The service's Prometheus registry (`app.metrics`); without one, metrics go to a private registry. */
  registry?: Registry;
  logger?: BaseLogger;
  /** A new group starts at the beginning of the topic, so events published before its first start count. */
  fromBeginning?: boolean;
  /** Partitions handled in parallel by this process (default 1); order holds within a partition either way. */
  partitionsConsumedConcurrently?: number;
  /** How often the lag gauge is refreshed from the broker (default 15 s; 0 turns it off). */
  lagIntervalMs?: number;
  /**
   * How long the broker waits for a silent member before giving its partitions away (default 30 s). A
   * crashed process holds its partitions that long; the retry loop heartbeats, so long retries are fine.
   */
  sessionTimeoutMs?: number;
  /** The parking topic of `topic` (default `<topic>.dlq`). */
  dlqTopic?: (topic: string) => string;
  /**
   * Most messages of one partition applied in one transaction when the store has `runBatch` (default 100).
   * 1 turns batching off: one transaction per message.
   */
  maxBatchSize?: number;
}

/** A running consumer; `stop()` finishes the in-flight message or chunk, commits and leaves the group. */
export interface ConsumerHandle {
  stop(): Promise<void>;
}

interface ConsumerMetrics {
  processed: Counter<'topic' | 'group' | 'outcome'>;
  failed: Counter<'topic' | 'group' | 'kind'>;
  parked: Counter<'topic' | 'group' | 'reason'>;
  lag: Gauge<'topic' | 'partition' | 'group'>;
  duration: Histogram<'topic' | 'group'>;
  chunks: Counter<'topic' | 'group' | 'outcome'>;
}

function metric<M>(registry: Registry, name: string, create: () => M): M {
  // Several consumers in one service share the series' definitions; registering twice would throw.
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}

function consumerMetrics(registry: Registry): ConsumerMetrics {
  const registers = [registry];
  return {
    processed: metric(
      registry,
      'events_consumed_total',
      () =>
        new Counter({
          name: 'events_consumed_total',
          help: 'Events handled by a consumer group: outcome applied (effect committed) or duplicate (already processed, skipped)',
          labelNames: ['topic', 'group', 'outcome'],
          registers,
        }),
    ),
    failed: metric(
      registry,
      'event_handler_failures_total',
      () =>
        new Counter({
          name: 'event_handler_failures_total',
          help: 'Failed attempts to handle an event: kind error (counts toward parking) or unavailable (a dependency is down; retried until it returns)',
          labelNames: ['topic', 'group', 'kind'],
          registers,
        }),
    ),
    parked: metric(
      registry,
      'events_parked_total',
      () =>
        new Counter({
          name: 'events_parked_total',
          help: 'Messages moved to <topic>.dlq, by reason: decode, rejected, exhausted',
          labelNames: ['topic', 'group', 'reason'],
          registers,
        }),
    ),
    lag: metric(
      registry,
      'kafka_consumer_lag',
      () =>
        new Gauge({
          name: 'kafka_consumer_lag',
          help: "Messages in a partition beyond the group's committed offset",
          labelNames: ['topic', 'partition', 'group'],
          registers,
        }),
    ),
    duration: metric(
      registry,
      'event_handling_duration_seconds',
      () =>
        new Histogram({
          name: 'event_handling_duration_seconds',
          help: 'Time from receiving a message to committing its effect or parking it, retries included',
          labelNames: ['topic', 'group'],
          buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
          registers,
        }),
    ),
    chunks: metric(
      registry,
      'event_batches_total',
      () =>
        new Counter({
          name: 'event_batches_total',
          help: 'Chunks of messages applied in one transaction: outcome committed, or replayed (rolled back and handled one by one)',
          labelNames: ['topic', 'group', 'outcome'],
          registers,
        }),
    ),
  };
}

const tracer = trace.getTracer('@shop/common/consumer');

/** Raised inside the message loop when stop() interrupts a backoff: the message is left uncommitted. */
class StoppingError extends Error {
  override name = 'StoppingError';
}

/** What the per-message path needs of a message: kafkajs' eachMessage payload, or one built from a batch. */
type MessageRef = Pick<EachMessagePayload, 'topic' | 'partition' | 'message' | 'heartbeat'>;

/** Splits `items` into consecutive groups of at most `size` (at least 1). */
export function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const step = Math.max(Math.floor(size), 1);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += step) out.push(items.slice(i, i + step));
  return out;
}

/**
 * Which messages of a chunk run the handler, given the ids the store recorded as new: the first message with
 * each fresh id. Later copies of an id in the same chunk, and ids recorded before, are duplicates.
 */
export function freshPlan(eventIds: readonly string[], fresh: ReadonlySet<string>): boolean[] {
  const taken = new Set<string>();
  return eventIds.map((id) => {
    if (!fresh.has(id) || taken.has(id)) return false;
    taken.add(id);
    return true;
  });
}

/** A `{ decode }` object (registry client) or a plain function, called the same way. */
async function runDecoder<T>(
  decode: Decoder<T>,
  value: Buffer,
  meta: Omit<EventMeta, 'attempt'>,
): Promise<T> {
  if (typeof decode === 'function') return decode(value, meta);
  return (await decode.decode(value)) as T;
}

/**
 * Consumes `topic(s)` as `groupId`: decodes each message, applies it once through `processedStore`, retries
 * failures with backoff, parks what cannot succeed on `<topic>.dlq`, and commits offsets only behind durable
 * effects. Resolves once the consumer has joined the group and is running.
 */
export async function consume<T, Tx>(options: ConsumeOptions<T, Tx>): Promise<ConsumerHandle> {
  const topics = options.topics ?? (options.topic ? [options.topic] : []);
  if (topics.length === 0) throw new Error('consume needs topic or topics');
  const { groupId, kafka, handler, processedStore } = options;
  const maxAttempts = Math.max(options.maxAttempts ?? 5, 1);
  const maxBatchSize = Math.max(Math.floor(options.maxBatchSize ?? 100), 1);
  const dlqTopic = options.dlqTopic ?? ((topic: string) => `${topic}.dlq`);
  const log = options.logger;
  const metrics = consumerMetrics(options.registry ?? new Registry());
  const stopping = new AbortController();

  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: 3000,
    retry: { retries: 20, initialRetryTime: 300, maxRetryTime: 10_000 },
  });
  // Idempotent and one request in flight: a DLQ write retried after a lost ack is not duplicated or reordered.
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });

  /** Writes the message to the DLQ; retried until it succeeds, because its offset must not be committed before. */
  async function park(
    payload: MessageRef,
    reason: ParkReason,
    error: unknown,
    attempts: number,
    span: Span,
  ): Promise<void> {
    const { topic, partition, message } = payload;
    const headers = dlqHeaders({
      original: message.headers,
      reason,
      error,
      attempts,
      topic,
      partition,
      offset: message.offset,
      groupId,
      failedAt: new Date(),
    });
    for (let attempt = 1; ; attempt++) {
      try {
        await producer.send({
          topic: dlqTopic(topic),
          acks: -1,
          messages: [{ key: message.key, value: message.value, headers }],
        });
        break;
      } catch (err) {
        log?.error({ err, topic, partition, offset: message.offset }, 'could not park message; retrying');
        await sleep(backoffDelay(attempt, options.backoff), stopping.signal).catch(() => {
          throw new StoppingError('stopped while parking');
        });
        await payload.heartbeat();
      }
    }
    metrics.parked.inc({ topic, group: groupId, reason });
    span.setAttribute('shop.event.parked', reason);
    log?.warn(
      { topic, partition, offset: message.offset, reason, attempts, err: error },
      'message parked on the dead-letter topic',
    );
  }

  async function handleMessage(payload: MessageRef, span: Span): Promise<void> {
    const { topic, partition, message } = payload;
    const headers = headersToRecord(message.headers);
    const eventId = eventIdOf(headers);
    const base = metaOf(topic, partition, message, headers, eventId ?? '');
    if (eventId) span.setAttribute('messaging.message.id', eventId);
    // Without an id the event cannot be de-duplicated, and without a value it cannot be read: never retry.
    if (!eventId) return park(payload, 'decode', new Error('message has no event_id or id header'), 1, span);
    if (!message.value) return park(payload, 'decode', new Error('message has no value'), 1, span);

    let event: T | undefined;
    for (let attempt = 1, decoded = false; !decoded; attempt++) {
      try {
        event = await runDecoder(options.decode, message.value, base);
        decoded = true;
      } catch (err) {
        // A registry that cannot be reached is an outage, not a bad message.
        if (!isUnavailable(err)) return park(payload, 'decode', err, 1, span);
        metrics.failed.inc({ topic, group: groupId, kind: 'unavailable' });
        log?.warn({ err, topic, partition, offset: message.offset }, 'decoder unavailable; retrying');
        await backoff(payload, attempt);
      }
    }

    let failures = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        const applied = await processedStore.runOnce(groupId, eventId, (tx) =>
          handler(event as T, { ...base, attempt }, tx),
        );
        metrics.processed.inc({ topic, group: groupId, outcome: applied ? 'applied' : 'duplicate' });
        span.setAttribute('shop.event.outcome', applied ? 'applied' : 'duplicate');
        return;
      } catch (err) {
        if (err instanceof PoisonMessageError) {
          metrics.failed.inc({ topic, group: groupId, kind: 'error' });
          return park(payload, 'rejected', err, attempt, span);
        }
        if (isUnavailable(err)) {
          // The service's own database (or another dependency) is down: every message would fail the same
          // way, so parking would empty the topic into the DLQ. Hold the partition until it returns.
          metrics.failed.inc({ topic, group: groupId, kind: 'unavailable' });
          log?.warn(
            { err, topic, partition, offset: message.offset, attempt },
            'dependency unavailable; retrying',
          );
          await backoff(payload, Math.min(attempt, 10));
          continue;
        }
        failures++;
        metrics.failed.inc({ topic, group: groupId, kind: 'error' });
        span.recordException(err as Error);
        if (failures >= maxAttempts) return park(payload, 'exhausted', err, failures, span);
        log?.warn(
          { err, topic, partition, offset: message.offset, attempt: failures },
          'handler failed; retrying',
        );
        await backoff(payload, failures);
      }
    }
  }

  async function backoff(payload: MessageRef, attempt: number): Promise<void> {
    await sleep(backoffDelay(attempt, options.backoff), stopping.signal).catch(() => {
      throw new StoppingError('stopped during backoff; the message stays uncommitted');
    });
    // A retry sequence may outlast the session timeout; heartbeats keep the partition assigned to us.
    await payload.heartbeat();
  }

  /** The consumer span of one message, parented on the context its headers carry. */
  function startSpan(topic: string, partition: number, message: KafkaMessage): { span: Span; ctx: Context } {
    const parent = propagation.extract(context.active(), headersToRecord(message.headers));
    const span = tracer.startSpan(
      `${topic} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': topic,
          'messaging.destination.partition.id': String(partition),
          'messaging.kafka.offset': Number(message.offset),
          'messaging.consumer.group.name': groupId,
        },
      },
      parent,
    );
    return { span, ctx: trace.setSpan(parent, span) };
  }

  /** The per-message path inside the message's span, which it ends. */
  async function processMessage(
    payload: MessageRef,
    traced: { span: Span; ctx: Context },
    started: number,
  ): Promise<void> {
    const { span, ctx } = traced;
    try {
      await context.with(ctx, () => handleMessage(payload, span));
      metrics.duration.observe(
        { topic: payload.topic, group: groupId },
        (performance.now() - started) / 1000,
      );
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  }

  async function eachMessage(payload: EachMessagePayload): Promise<void> {
    const started = performance.now();
    await processMessage(payload, startSpan(payload.topic, payload.partition, payload.message), started);
  }

  interface ChunkItem {
    message: KafkaMessage;
    span: Span;
    ctx: Context;
    ended: boolean;
  }

  /**
   * Applies a chunk in one `runBatch` transaction; answers false, with nothing applied and no span ended,
   * when any message needs the per-message path (no id or value, a decode error, any failure in the
   * transaction). Answers true once the chunk's effects are committed and its spans ended.
   */
  async function applyChunk(
    runBatch: NonNullable<ProcessedStore<Tx>['runBatch']>,
    topic: string,
    partition: number,
    items: ChunkItem[],
    started: number,
  ): Promise<boolean> {
    const prepared: { eventId: string; event: T; base: Omit<EventMeta, 'attempt'> }[] = [];
    for (const { message, span } of items) {
      const headers = headersToRecord(message.headers);
      const eventId = eventIdOf(headers);
      if (!eventId || !message.value) return false;
      span.setAttribute('messaging.message.id', eventId);
      const base = metaOf(topic, partition, message, headers, eventId);
      try {
        prepared.push({ eventId, event: await runDecoder(options.decode, message.value, base), base });
      } catch {
        return false;
      }
    }
    const ids = prepared.map((p) => p.eventId);
    let plan: boolean[] = [];
    try {
      // The chunk's own statements (BEGIN, the processed-events insert, COMMIT) trace under its first message.
      await context.with(items[0]!.ctx, () =>
        runBatch(groupId, ids, async (tx, fresh) => {
          plan = freshPlan(ids, fresh);
          for (const [i, p] of prepared.entries()) {
            if (!plan[i]) continue;
            await context.with(items[i]!.ctx, () => handler(p.event, { ...p.base, attempt: 1 }, tx));
          }
        }),
      );
    } catch (err) {
      metrics.chunks.inc({ topic, group: groupId, outcome: 'replayed' });
      log?.debug(
        { err, topic, partition, from: items[0]!.message.offset, size: items.length },
        'chunk rolled back; handling its messages one by one',
      );
      return false;
    }
    metrics.chunks.inc({ topic, group: groupId, outcome: 'committed' });
    const seconds = (performance.now() - started) / 1000;
    for (const [i, item] of items.entries()) {
      const outcome = plan[i] ? 'applied' : 'duplicate';
      metrics.processed.inc({ topic, group: groupId, outcome });
      metrics.duration.observe({ topic, group: groupId }, seconds);
      item.span.setAttribute('shop.event.outcome', outcome);
      item.span.setAttribute('shop.event.batch_size', items.length);
      item.span.end();
      item.ended = true;
    }
    return true;
  }

  /**
   * The batched path: each chunk is applied in one transaction, else message by message; offsets are
   * resolved only behind durable effects, and the loop stops between chunks (and between replayed
   * messages) when the consumer stops or the partition was re-assigned or seeked.
   */
  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { topic, partition } = batch;
    const runBatch = processedStore.runBatch!.bind(processedStore);
    const live = () => payload.isRunning() && !payload.isStale();
    for (const messages of chunksOf(batch.messages, maxBatchSize)) {
      if (!live()) return;
      const started = performance.now();
      const items: ChunkItem[] = messages.map((message) => ({
        message,
        ...startSpan(topic, partition, message),
        ended: false,
      }));
      try {
        if (items.length > 1 && (await applyChunk(runBatch, topic, partition, items, started))) {
          payload.resolveOffset(messages[messages.length - 1]!.offset);
        } else {
          for (const item of items) {
            if (!live()) return;
            item.ended = true;
            const ref: MessageRef = { topic, partition, message: item.message, heartbeat: payload.heartbeat };
            await processMessage(ref, item, item === items[0] ? started : performance.now());
            payload.resolveOffset(item.message.offset);
            await payload.heartbeat();
          }
        }
      } finally {
        // Messages left unhandled by a stop or an error: their spans end without an outcome.
        for (const item of items) if (!item.ended) item.span.end();
      }
      await payload.heartbeat();
      await payload.commitOffsetsIfNecessary();
    }
  }

  const batched = maxBatchSize > 1 && typeof processedStore.runBatch === 'function';

  try {
    await producer.connect();
    await consumer.connect();
    for (const topic of topics)
      await consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? true });
    // With eachMessage and autoCommit, kafkajs resolves a message's offset only after eachMessage returns,
    // which is after the effect committed (or the message was parked). With eachBatch (auto-resolve off) we
    // resolve a chunk's last offset ourselves after its transaction committed, or each replayed message's
    // after it was handled. Either way kafkajs commits resolved offsets at the end of every batch, on
    // rebalance and on stop; a crash in between redelivers, and the processed store absorbs it.
    await consumer.run({
      autoCommit: true,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
      ...(batched ? { eachBatchAutoResolve: false, eachBatch } : { eachMessage }),
    });
  } catch (err) {
    // A service that fails to start its consumer must not keep half-open connections alive.
    await Promise.allSettled([consumer.disconnect(), producer.disconnect()]);
    throw err;
  }

  const lagInterval = options.lagIntervalMs ?? 15_000;
  const admin = kafka.admin();
  let lagTimer: NodeJS.Timeout | undefined;
  if (lagInterval > 0) {
    await admin.connect();
    const refresh = async () => {
      try {
        for (const topic of topics) {
          const [high, committed] = await Promise.all([
            admin.fetchTopicOffsets(topic),
            admin.fetchOffsets({ groupId, topics: [topic] }),
          ]);
          const done = new Map(committed[0]?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
          for (const p of high) {
            const position = done.get(p.partition) ?? -1;
            // No commit yet: the whole retained partition is still ahead of the group.
            const from = position < 0 ? Number(p.low) : position;
            metrics.lag.set(
              { topic, partition: String(p.partition), group: groupId },
              Math.max(Number(p.high) - from, 0),
            );
          }
        }
      } catch (err) {
        log?.debug({ err }, 'could not refresh consumer lag');
      }
    };
    const tick = () => {
      lagTimer = setTimeout(
        () => void refresh().finally(() => !stopping.signal.aborted && tick()),
        lagInterval,
      );
      lagTimer.unref();
    };
    await refresh();
    tick();
  }

  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        stopping.abort();
        clearTimeout(lagTimer);
        // disconnect() waits for the message in hand, then commits what was resolved and leaves the group.
        await consumer.disconnect();
        await producer.disconnect();
        if (lagInterval > 0) await admin.disconnect();
      })();
      return stopped;
    },
  };
}

/** What a handler is told about a message besides its attempt number. */
function metaOf(
  topic: string,
  partition: number,
  message: KafkaMessage,
  headers: Record<string, string>,
  eventId: string,
): Omit<EventMeta, 'attempt'> {
  return {
    eventId,
    topic,
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString('utf8') : null,
    headers,
    aggregateType: headers[eventHeaders.aggregateType],
    region: headers[eventHeaders.region],
    occurredAt: headers[eventHeaders.occurredAt],
  };
}
