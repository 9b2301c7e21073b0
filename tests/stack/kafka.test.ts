// The native Kafka broker over the real protocol: topics, produce/consume, a consumer group that shares
// partitions and commits offsets, and the promise that topics are never created implicitly.
// Needs `pnpm stack up kafka`.
import { randomUUID } from 'node:crypto';
import { type Admin, type Consumer, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackEnv } from '../../scripts/stack/env.js';

const env = loadStackEnv();
const kafka = new Kafka({
  clientId: 'stack-test',
  brokers: [`${env.STACK_HOST}:${env.KAFKA_PORT}`],
  logLevel: logLevel.NOTHING,
});
const run = randomUUID().slice(0, 8);
const topic = `stack-test.kafka.${run}`;

let admin: Admin;
const consumers: Consumer[] = [];

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
  });
});

afterAll(async () => {
  await Promise.all(consumers.map((c) => c.disconnect()));
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

/** Resolves once `predicate` holds, polling; fails the test with `what` after `ms`. */
async function until(what: string, predicate: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('kafka broker', () => {
  it('reports one broker that is also the controller', async () => {
    const cluster = await admin.describeCluster();
    expect(cluster.brokers).toHaveLength(1);
    expect(cluster.controller).toBe(cluster.brokers[0]!.nodeId);
  });

  it('delivers every message of a key in order to a consumer group sharing the partitions', async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const keys = ['order-1', 'order-2', 'order-3', 'order-4', 'order-5', 'order-6'];
    const perKey = 20;
    const messages = keys.flatMap((key) =>
      Array.from({ length: perKey }, (_, i) => ({
        key,
        value: `${key}:${i}`,
        headers: { event_id: randomUUID() },
      })),
    );
    await producer.send({ topic, acks: -1, messages });
    await producer.disconnect();

    const groupId = `stack-test-group-${run}`;
    const seen: { member: number; partition: number; key: string; value: string; eventId: string }[] = [];
    for (const member of [0, 1]) {
      const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000 });
      consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          seen.push({
            member,
            partition,
            key: message.key!.toString(),
            value: message.value!.toString(),
            eventId: message.headers!.event_id!.toString(),
          });
        },
      });
    }
    await until('every message consumed', () => seen.length >= messages.length);

    // Exactly what was sent, no duplicates, and each key's messages in the order they were produced.
    expect(new Set(seen.map((s) => s.eventId)).size).toBe(messages.length);
    expect(seen).toHaveLength(messages.length);
    for (const key of keys) {
      const values = seen.filter((s) => s.key === key).map((s) => s.value);
      expect(values).toEqual(Array.from({ length: perKey }, (_, i) => `${key}:${i}`));
      // One key lives on one partition, so a single member owns its whole history.
      expect(new Set(seen.filter((s) => s.key === key).map((s) => s.partition)).size).toBe(1);
    }

    // The group's committed offsets reach the end of every partition once it has consumed everything.
    const ends = await admin.fetchTopicOffsets(topic);
    const deadline = Date.now() + 15_000;
    let committed: { partition: number; offset: string }[] = [];
    while (Date.now() < deadline) {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      committed = offsets!.partitions;
      if (committed.every((p) => ends.find((e) => e.partition === p.partition)!.offset === p.offset)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(committed.map((p) => p.offset).sort()).toEqual(ends.map((e) => e.offset).sort());

    const group = await admin.describeGroups([groupId]);
    expect(group.groups[0]!.state).toBe('Stable');
    expect(group.groups[0]!.members).toHaveLength(2);
  });

  it('refuses to create a topic implicitly when a producer writes to an unknown one', async () => {
    const producer = kafka.producer({ retry: { retries: 1, initialRetryTime: 100 } });
    await producer.connect();
    try {
      await expect(
        producer.send({ topic: `stack-test.missing.${run}`, messages: [{ value: 'x' }] }),
      ).rejects.toThrow(/does not host this topic-partition|unknown topic|not present/i);
    } finally {
      await producer.disconnect();
    }
    expect(await admin.listTopics()).not.toContain(`stack-test.missing.${run}`);
  });
});
