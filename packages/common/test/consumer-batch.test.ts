// The batched path of consume() against an in-memory broker and store: chunking, one transaction per chunk,
// duplicates inside and across chunks, the per-message replay of a chunk with a bad message, offsets
// resolved only behind committed chunks, and stopping between chunks.
import type { ConsumerRunConfig, EachBatchPayload, Kafka, KafkaMessage, ProducerRecord } from 'kafkajs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { chunksOf, freshPlan } from '../src/consumer.js';
import {
  consume,
  dlqHeaderNames,
  headersToRecord,
  PoisonMessageError,
  type ProcessedStore,
} from '../src/index.js';

describe('chunksOf', () => {
  it('splits in order into groups of at most the size', () => {
    expect(chunksOf([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunksOf([1, 2, 3], 100)).toEqual([[1, 2, 3]]);
    expect(chunksOf([], 10)).toEqual([]);
  });

  it('treats a size below 1 as 1', () => {
    expect(chunksOf([1, 2], 0)).toEqual([[1], [2]]);
  });
});

describe('freshPlan', () => {
  it('runs the handler for the first copy of each fresh id only', () => {
    expect(freshPlan(['a', 'b', 'a', 'c', 'b'], new Set(['a', 'b']))).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('runs nothing when every id was recorded before', () => {
    expect(freshPlan(['a', 'b'], new Set())).toEqual([false, false]);
  });
});

interface Tx {
  effects: string[];
}

/** The processed store in memory; a chunk's effects and ids become visible together, or not at all. */
function memoryStore(batched = true) {
  const recorded = new Set<string>();
  const effects: string[] = [];
  const calls = { runOnce: 0, runBatch: 0, batchSizes: [] as number[] };
  const store: ProcessedStore<Tx> = {
    async runOnce(_groupId, eventId, fn) {
      calls.runOnce++;
      if (recorded.has(eventId)) return false;
      const tx: Tx = { effects: [] };
      await fn(tx);
      recorded.add(eventId);
      effects.push(...tx.effects);
      return true;
    },
  };
  if (batched)
    store.runBatch = async (_groupId, eventIds, fn) => {
      calls.runBatch++;
      calls.batchSizes.push(eventIds.length);
      const fresh = new Set(eventIds.filter((id) => !recorded.has(id)));
      const tx: Tx = { effects: [] };
      await fn(tx, fresh);
      for (const id of fresh) recorded.add(id);
      effects.push(...tx.effects);
      return fresh;
    };
  return { store, recorded, effects, calls };
}

/** A Kafka whose consumer only captures its run configuration and whose producer records what it sends. */
function fakeKafka() {
  const sent: ProducerRecord[] = [];
  let config: ConsumerRunConfig | undefined;
  const noop = async () => undefined;
  const kafka = {
    consumer: () => ({
      connect: noop,
      subscribe: noop,
      disconnect: noop,
      run: async (c: ConsumerRunConfig) => {
        config = c;
      },
    }),
    producer: () => ({ connect: noop, disconnect: noop, send: async (r: ProducerRecord) => sent.push(r) }),
    admin: () => ({ connect: noop, disconnect: noop }),
  } as unknown as Kafka;
  return {
    kafka,
    sent,
    config: () => config!,
  };
}

type Body = { n: number; fail?: 'reject' | 'once' | 'always' } | 'garbage';

function messages(bodies: { id?: string; body: Body }[]): KafkaMessage[] {
  return bodies.map(({ id, body }, offset) => ({
    key: Buffer.from('k'),
    value: Buffer.from(body === 'garbage' ? '\u0000not json' : JSON.stringify(body)),
    headers: id ? { event_id: id } : {},
    offset: String(offset),
    timestamp: '0',
    attributes: 0,
  }));
}

function batchOf(list: KafkaMessage[], running: () => boolean = () => true) {
  const resolved: string[] = [];
  let commits = 0;
  const payload = {
    batch: { topic: 't', partition: 0, messages: list },
    resolveOffset: (offset: string) => resolved.push(offset),
    heartbeat: async () => undefined,
    pause: () => () => undefined,
    commitOffsetsIfNecessary: async () => {
      commits++;
    },
    uncommittedOffsets: () => ({ topics: [] }),
    isRunning: running,
    isStale: () => false,
  } as unknown as EachBatchPayload;
  return { payload, resolved, commits: () => commits };
}

async function start(options: { batched?: boolean; maxBatchSize?: number } = {}) {
  const kafka = fakeKafka();
  const mem = memoryStore(options.batched ?? true);
  const registry = new Registry();
  const attempts = new Map<string, number[]>();
  const handle = await consume<Exclude<Body, 'garbage'>, Tx>({
    kafka: kafka.kafka,
    groupId: 'g',
    topic: 't',
    decode: (value) => JSON.parse(value.toString('utf8')),
    processedStore: mem.store,
    registry,
    lagIntervalMs: 0,
    maxAttempts: 2,
    backoff: { initialMs: 1, maxMs: 2 },
    ...(options.maxBatchSize ? { maxBatchSize: options.maxBatchSize } : {}),
    handler: async (event, meta, tx) => {
      attempts.set(meta.eventId, [...(attempts.get(meta.eventId) ?? []), meta.attempt]);
      tx.effects.push(meta.eventId);
      if (event.fail === 'reject') throw new PoisonMessageError('never acceptable');
      if (event.fail === 'always') throw new Error('always fails');
      if (event.fail === 'once' && meta.attempt === 1) throw new Error('transient');
    },
  });
  return { ...kafka, ...mem, registry, attempts, handle };
}

describe('consume, batched path', () => {
  it('uses eachBatch without auto-resolve only when the store can record batches', async () => {
    const withBatches = await start();
    expect(withBatches.config().eachBatch).toBeTypeOf('function');
    expect(withBatches.config().eachBatchAutoResolve).toBe(false);
    expect(withBatches.config().eachMessage).toBeUndefined();
    expect((await start({ batched: false })).config().eachMessage).toBeTypeOf('function');
    const one = await start({ maxBatchSize: 1 });
    expect(one.config().eachMessage).toBeTypeOf('function');
    expect(one.config().eachBatch).toBeUndefined();
  });

  it('applies a burst in chunks of maxBatchSize, each id once, resolving offsets after each chunk', async () => {
    const c = await start({ maxBatchSize: 100 });
    const list = messages(Array.from({ length: 250 }, (_, n) => ({ id: `e-${n}`, body: { n } })));
    const batch = batchOf(list);
    await c.config().eachBatch!(batch.payload);
    expect(c.calls.batchSizes).toEqual([100, 100, 50]);
    expect(c.calls.runOnce).toBe(0);
    expect(c.effects).toEqual(list.map((_, n) => `e-${n}`));
    expect(batch.resolved).toEqual(['99', '199', '249']);
    expect(batch.commits()).toBe(3);
    expect(await c.registry.metrics()).toMatch(/events_consumed_total\{[^}]*outcome="applied"\} 250/);
    expect(await c.registry.metrics()).toMatch(/event_batches_total\{[^}]*outcome="committed"\} 3/);
  });

  it('applies an id once when it repeats inside a chunk and across chunks', async () => {
    const c = await start({ maxBatchSize: 3 });
    const list = messages([
      { id: 'a', body: { n: 1 } },
      { id: 'a', body: { n: 1 } },
      { id: 'b', body: { n: 2 } },
      { id: 'b', body: { n: 2 } },
      { id: 'c', body: { n: 3 } },
      { id: 'a', body: { n: 1 } },
    ]);
    const batch = batchOf(list);
    await c.config().eachBatch!(batch.payload);
    expect(c.effects).toEqual(['a', 'b', 'c']);
    expect(batch.resolved).toEqual(['2', '5']);
    const metrics = await c.registry.metrics();
    expect(metrics).toMatch(/events_consumed_total\{[^}]*outcome="applied"\} 3/);
    expect(metrics).toMatch(/events_consumed_total\{[^}]*outcome="duplicate"\} 3/);
    // A redelivery of the whole batch changes nothing.
    await c.config().eachBatch!(batchOf(list).payload);
    expect(c.effects).toEqual(['a', 'b', 'c']);
  });

  it('replays a chunk with a rejected message one by one: it is parked, the others applied once', async () => {
    const c = await start({ maxBatchSize: 10 });
    const list = messages([
      { id: 'ok-1', body: { n: 1 } },
      { id: 'flaky', body: { n: 2, fail: 'once' } },
      { id: 'bad', body: { n: 3, fail: 'reject' } },
      { id: 'ok-2', body: { n: 4 } },
    ]);
    const batch = batchOf(list);
    await c.config().eachBatch!(batch.payload);
    expect(c.effects).toEqual(['ok-1', 'flaky', 'ok-2']);
    expect(c.calls.runBatch).toBe(1);
    expect(batch.resolved).toEqual(['0', '1', '2', '3']);
    expect(c.sent).toHaveLength(1);
    const parked = c.sent[0]!;
    expect(parked.topic).toBe('t.dlq');
    expect(headersToRecord(parked.messages[0]!.headers)).toMatchObject({
      event_id: 'bad',
      [dlqHeaderNames.reason]: 'rejected',
      [dlqHeaderNames.originalOffset]: '2',
    });
    // The rolled-back chunk attempt is not counted: the replay sees the attempts it would have seen alone.
    expect(c.attempts.get('flaky')).toEqual([1, 1, 2]);
    // The chunk stopped at `flaky`: `bad` only ran in the replay.
    expect(c.attempts.get('bad')).toEqual([1]);
    const metrics = await c.registry.metrics();
    expect(metrics).toMatch(/event_batches_total\{[^}]*outcome="replayed"\} 1/);
    expect(metrics).toMatch(/event_handler_failures_total\{[^}]*kind="error"\} 2/);
    expect(metrics).toMatch(/events_parked_total\{[^}]*reason="rejected"\} 1/);
  });

  it('replays a chunk with an undecodable or id-less message without opening its transaction', async () => {
    const c = await start({ maxBatchSize: 10 });
    const list = messages([
      { id: 'ok-1', body: { n: 1 } },
      { id: 'garbled', body: 'garbage' },
      { body: { n: 2 } },
      { id: 'ok-2', body: { n: 3 } },
    ]);
    const batch = batchOf(list);
    await c.config().eachBatch!(batch.payload);
    expect(c.calls.runBatch).toBe(0);
    expect(c.effects).toEqual(['ok-1', 'ok-2']);
    expect(c.sent.map((r) => headersToRecord(r.messages[0]!.headers)[dlqHeaderNames.reason])).toEqual([
      'decode',
      'decode',
    ]);
    expect(batch.resolved).toEqual(['0', '1', '2', '3']);
  });

  it('parks a message that fails every attempt after the replay, and moves on', async () => {
    const c = await start({ maxBatchSize: 10 });
    const batch = batchOf(
      messages([
        { id: 'x', body: { n: 1, fail: 'always' } },
        { id: 'y', body: { n: 2 } },
      ]),
    );
    await c.config().eachBatch!(batch.payload);
    expect(c.effects).toEqual(['y']);
    expect(c.attempts.get('x')).toEqual([1, 1, 2]);
    expect(headersToRecord(c.sent[0]!.messages[0]!.headers)[dlqHeaderNames.reason]).toBe('exhausted');
    expect(batch.resolved).toEqual(['0', '1']);
  });

  it('stops between chunks once the consumer stops, leaving the rest unresolved', async () => {
    const c = await start({ maxBatchSize: 2 });
    let running = true;
    const list = messages(Array.from({ length: 6 }, (_, n) => ({ id: `e-${n}`, body: { n } })));
    const batch = batchOf(list, () => running);
    const original = c.store.runBatch!;
    c.store.runBatch = async (g, ids, fn) => {
      const fresh = await original(g, ids, fn);
      running = false;
      return fresh;
    };
    await c.config().eachBatch!(batch.payload);
    expect(c.effects).toEqual(['e-0', 'e-1']);
    expect(batch.resolved).toEqual(['1']);
  });

  it('resolves nothing of a chunk whose transaction failed and whose replay was interrupted', async () => {
    const c = await start({ maxBatchSize: 5 });
    let running = true;
    c.store.runBatch = async () => {
      running = false;
      throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
    };
    const batch = batchOf(
      messages([
        { id: 'a', body: { n: 1 } },
        { id: 'b', body: { n: 2 } },
      ]),
      () => running,
    );
    await c.config().eachBatch!(batch.payload);
    expect(c.effects).toEqual([]);
    expect(batch.resolved).toEqual([]);
  });
});
