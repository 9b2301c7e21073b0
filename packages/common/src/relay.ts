// Delivery for the stores Debezium does not read. Both workers keep the outbox promise — a committed change
// is never lost — by moving their position (deleting relayed rows, saving the _changes checkpoint) only
// after Kafka or the handler acknowledged the work. A crash in between repeats work; consumers absorb the
// duplicates by event id. docs/design/decisions/060.
import cassandra from 'cassandra-driver';
import type { IHeaders, Kafka, Message, Producer } from 'kafkajs';
import type nano from 'nano';
import type { BaseLogger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { type BackoffOptions, backoffDelay, sleep } from './events/backoff.js';
import { outboxHeaders } from './events/headers.js';
import { CASSANDRA_OUTBOX_BUCKETS } from './outbox.js';

/** A running relay or change-feed worker; `stop()` finishes the step in hand and returns. */
export interface WorkerHandle {
  stop(): Promise<void>;
}

function counter(registry: Registry | undefined, name: string, help: string, labelNames: string[]) {
  if (!registry) return undefined;
  return (
    (registry.getSingleMetric(name) as Counter | undefined) ??
    new Counter({ name, help, labelNames, registers: [registry] })
  );
}

export interface CassandraRelayOptions {
  /** A connected client; its keyspace (or `keyspace`) holds `outbox_events` (`outboxTableSql.cql`). */
  client: cassandra.Client;
  keyspace?: string;
  kafka: Kafka;
  /** Must equal the buckets the writers hash into (default CASSANDRA_OUTBOX_BUCKETS). */
  buckets?: number;
  /** Rows taken from one bucket per round (default 200). */
  batchSize?: number;
  /** Pause after a round that found nothing (default 250 ms). */
  pollIntervalMs?: number;
  backoff?: BackoffOptions;
  logger?: BaseLogger;
  registry?: Registry;
}

interface CassandraOutboxRow {
  seq: unknown;
  id: string;
  aggregatetype: string;
  aggregateid: string;
  topic: string;
  payload: Buffer;
  region: string;
  occurred_at: Date;
  traceparent: string | null;
}

/** One Kafka message per outbox row, with the key and headers Debezium's outbox router would give it. */
export function cassandraRowToMessage(row: CassandraOutboxRow): Message {
  return {
    key: row.aggregateid,
    value: row.payload,
    headers: outboxHeaders({
      eventId: row.id,
      aggregateType: row.aggregatetype,
      region: row.region,
      occurredAt: row.occurred_at,
      traceparent: row.traceparent,
    }) as IHeaders,
  };
}

/**
 * Moves rows of a Cassandra `outbox_events` table to Kafka: each bucket in `seq` order, through an
 * idempotent producer, deleting rows only after the broker acknowledged them (at-least-once). Run one per
 * table; a second instance is safe but publishes duplicates.
 */
export async function startCassandraRelay(options: CassandraRelayOptions): Promise<WorkerHandle> {
  const buckets = options.buckets ?? CASSANDRA_OUTBOX_BUCKETS;
  const batchSize = options.batchSize ?? 200;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const table = options.keyspace ? `"${options.keyspace}".outbox_events` : 'outbox_events';
  const log = options.logger;
  const published = counter(
    options.registry,
    'outbox_relay_published_total',
    'Events the relay published to Kafka',
    ['store'],
  );
  const failures = counter(
    options.registry,
    'outbox_relay_failures_total',
    'Failed relay rounds (read, publish or delete)',
    ['store'],
  );
  const stopping = new AbortController();
  // One request in flight keeps an aggregate's events in order across the producer's own retries.
  const producer: Producer = options.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  // Quorum reads see every write a writer made at quorum; on one node it is simply that node.
  const queryOptions = { prepare: true, consistency: cassandra.types.consistencies.localQuorum };

  async function relayBucket(bucket: number): Promise<number> {
    const result = await options.client.execute(
      `SELECT seq, id, aggregatetype, aggregateid, topic, payload, region, occurred_at, traceparent
       FROM ${table} WHERE bucket = ? LIMIT ?`,
      [bucket, batchSize],
      queryOptions,
    );
    const rows = result.rows as unknown as CassandraOutboxRow[];
    if (rows.length === 0) return 0;
    const byTopic = new Map<string, Message[]>();
    for (const row of rows) {
      const messages = byTopic.get(row.topic) ?? [];
      messages.push(cassandraRowToMessage(row));
      byTopic.set(row.topic, messages);
    }
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    // Deleted by exact key, never by range: a row with an earlier seq written late must not be swept away.
    await options.client.execute(
      `DELETE FROM ${table} WHERE bucket = ? AND seq IN ?`,
      [bucket, rows.map((r) => r.seq)],
      queryOptions,
    );
    published?.inc({ store: 'cassandra' }, rows.length);
    return rows.length;
  }

  const loop = (async () => {
    let failuresInRow = 0;
    while (!stopping.signal.aborted) {
      try {
        let moved = 0;
        for (let bucket = 0; bucket < buckets && !stopping.signal.aborted; bucket++)
          moved += await relayBucket(bucket);
        failuresInRow = 0;
        if (moved === 0) await sleep(pollIntervalMs, stopping.signal).catch(() => undefined);
      } catch (err) {
        failuresInRow++;
        failures?.inc({ store: 'cassandra' });
        log?.warn({ err, attempt: failuresInRow }, 'cassandra outbox relay round failed; retrying');
        await sleep(backoffDelay(failuresInRow, options.backoff), stopping.signal).catch(() => undefined);
      }
    }
  })();

  return {
    async stop() {
      stopping.abort();
      await loop;
      await producer.disconnect();
    },
  };
}

/** One entry of a database's `_changes` feed, with the document when `includeDocs` is on. */
export type CouchChange<D> = nano.DatabaseChangesResultItem & { doc?: D & nano.Document };

export interface CouchChangesOptions<D> {
  /** The database to follow; the checkpoint is kept in it as `_local/changes-<name>`. */
  db: nano.DocumentScope<D>;
  /** Names this worker's position; two workers with one name share (and fight over) one checkpoint. */
  name: string;
  /** Publishes or applies one change; a rejection is retried with backoff, the feed waits behind it. */
  handler: (change: CouchChange<D>) => Promise<void>;
  includeDocs?: boolean;
  /** Changes per request (default 100); the checkpoint is saved after each handled batch. */
  batchSize?: number;
  /** How long one longpoll waits for a change (default 10 s); stop() cancels it at once. */
  longpollTimeoutMs?: number;
  /** Where a worker without a checkpoint begins (default `beginning`: everything ever written). */
  startFrom?: 'beginning' | 'now';
  backoff?: BackoffOptions;
  logger?: BaseLogger;
  registry?: Registry;
}

interface Checkpoint {
  _id: string;
  _rev?: string;
  last_seq: string;
}

/**
 * Follows a CouchDB `_changes` feed and hands every change, in order, to `handler`; its position (`last_seq`)
 * is saved in a `_local/` document of the same database only after the handler succeeded, so a restart
 * neither skips changes nor starts over (it repeats at most the changes of one unfinished batch).
 */
export async function startCouchChangesWorker<D>(options: CouchChangesOptions<D>): Promise<WorkerHandle> {
  const { db } = options;
  const checkpointId = `_local/changes-${options.name}`;
  const batchSize = options.batchSize ?? 100;
  const timeout = options.longpollTimeoutMs ?? 10_000;
  const log = options.logger;
  const handled = counter(
    options.registry,
    'couch_changes_handled_total',
    'Changes handled by a _changes worker',
    ['worker'],
  );
  const failed = counter(
    options.registry,
    'couch_changes_failures_total',
    'Failed attempts to handle a change',
    ['worker'],
  );
  const stopping = new AbortController();

  let checkpoint: Checkpoint;
  try {
    checkpoint = (await db.get(checkpointId)) as unknown as Checkpoint;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    const since = options.startFrom === 'now' ? String((await db.info()).update_seq) : '0';
    checkpoint = { _id: checkpointId, last_seq: since };
    // Saved at once, so a worker starting from `now` keeps that position across a restart before any change.
    await save(since);
  }

  async function save(seq: string): Promise<void> {
    const saved = await db.insert({ ...checkpoint, last_seq: seq } as unknown as D & nano.MaybeDocument);
    checkpoint = { _id: checkpointId, _rev: saved.rev, last_seq: seq };
  }

  async function fetchChanges(since: string): Promise<nano.DatabaseChangesResponse> {
    // Through relax() rather than db.changes() because only relax() passes an abort signal to the request.
    return db.server.relax({
      db: db.config.db,
      path: '_changes',
      qs: {
        since,
        feed: 'longpoll',
        timeout,
        limit: batchSize,
        include_docs: options.includeDocs ?? true,
      },
      signal: stopping.signal,
    } as nano.RequestOptions);
  }

  const loop = (async () => {
    let since = checkpoint.last_seq;
    let failuresInRow = 0;
    while (!stopping.signal.aborted) {
      let response: nano.DatabaseChangesResponse;
      try {
        response = await fetchChanges(since);
        // An aborted longpoll resolves with an empty body rather than rejecting.
        if (stopping.signal.aborted) return;
        // A longpoll cut short (a server restart, pouchdb-server under load) can answer a body without
        // `results`: a failed read to retry, never a reason to stop the worker or the process.
        if (!Array.isArray(response?.results)) {
          throw new Error(`_changes answered without results: ${JSON.stringify(response).slice(0, 200)}`);
        }
        failuresInRow = 0;
      } catch (err) {
        if (stopping.signal.aborted) return;
        failuresInRow++;
        log?.warn({ err, attempt: failuresInRow }, 'reading _changes failed; retrying');
        await sleep(backoffDelay(failuresInRow, options.backoff), stopping.signal).catch(() => undefined);
        continue;
      }
      for (const change of response.results as CouchChange<D>[]) {
        for (let attempt = 1; ; attempt++) {
          try {
            await options.handler(change);
            break;
          } catch (err) {
            failed?.inc({ worker: options.name });
            log?.warn({ err, id: change.id, seq: change.seq, attempt }, 'change handler failed; retrying');
            // Keep what is done: the retry (or a restart) begins at the failing change, not at the batch start.
            if (since !== checkpoint.last_seq) await save(since).catch(() => undefined);
            const aborted = await sleep(backoffDelay(attempt, options.backoff), stopping.signal).then(
              () => false,
              () => true,
            );
            if (aborted) return;
          }
        }
        handled?.inc({ worker: options.name });
        since = String(change.seq);
      }
      if (response.results.length > 0) since = String(response.last_seq);
      if (since !== checkpoint.last_seq) {
        try {
          await save(since);
        } catch (err) {
          // Not fatal: the next save carries the position; a restart before it repeats this batch.
          log?.warn({ err }, 'saving the _changes checkpoint failed');
        }
      }
    }
  })();

  return {
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
