// A consumer killed (SIGKILL) after its handler's effect committed but before the message's offset was
// committed gets that message again after a restart; the processed store recognises it and the effect is
// not applied twice. Runs the consumer as a real child process on the real broker and database.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@shop/testing';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processedEventsTableSql } from '../src/index.js';
import {
  brokers,
  createPgDatabase,
  createTopics,
  deleteTopics,
  type PgDatabase,
  runId,
  testKafka,
} from './fixtures/outbox-stack.js';

const fixture = fileURLToPath(new URL('./fixtures/crash-consumer.ts', import.meta.url));

interface Child {
  process: ChildProcess;
  lines: string[];
}

function startChild(env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  return { process: child, lines };
}

describe.each([
  { path: 'per message', batch: false },
  { path: 'batched', batch: true },
])('consumer crash between effect and offset commit ($path)', ({ batch }) => {
  const run = runId();
  const topic = `commontest.crash-${run}.v1`;
  const group = `common-test-crash-${run}`;
  let kafka: Kafka;
  let db: PgDatabase;
  let pool: pg.Pool;
  const children: Child[] = [];

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
    for (const c of children) if (c.process.exitCode === null) c.process.kill('SIGKILL');
    await pool?.end();
    await db?.drop();
    await deleteTopics(kafka, [topic, `${topic}.dlq`]);
  }, 60_000);

  it('applies the effect once after a SIGKILL and restart, then commits every offset on SIGTERM', async () => {
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const ids = ['e-1', 'e-2', 'e-3'].map((id) => `${id}-${run}`);
    await producer.send({
      topic,
      messages: ids.map((id) => ({ key: 'agg', value: `event ${id}`, headers: { event_id: id } })),
    });
    await producer.disconnect();
    const env = {
      BROKERS: brokers.join(','),
      TOPIC: topic,
      GROUP: group,
      DATABASE_URL: db.url,
      BATCH: batch ? '1' : '0',
    };

    const first = startChild({ ...env, HANG_AFTER_EFFECT: '1' });
    children.push(first);
    await waitFor(() => first.lines.includes('hanging'), 60_000);
    first.process.kill('SIGKILL');
    await once(first.process, 'exit');

    // The effect is durable, and the group has committed nothing: exactly the window the store must cover.
    const after = await pool.query<{ event_id: string }>('SELECT event_id FROM effects ORDER BY event_id');
    const applied = after.rows.map((r) => r.event_id);
    // Per message the first event alone; batched, the first committed chunk (all three when fetched at once).
    if (batch) expect(applied.length).toBeGreaterThan(0);
    else expect(applied).toEqual([ids[0]]);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      expect(committed!.partitions[0]!.offset).toBe('-1');

      const second = startChild(env);
      children.push(second);
      // Every event reached the store again or for the first time (all three may already be durable).
      await waitFor(() => ids.every((id) => second.lines.some((l) => l.endsWith(` ${id}`))), 60_000);
      expect((await pool.query('SELECT 1 FROM effects')).rowCount).toBe(3);
      for (const eventId of applied) expect(second.lines).toContain(`duplicate ${eventId}`);
      second.process.kill('SIGTERM');
      const [code] = await once(second.process, 'exit');
      expect(code).toBe(0);
      expect(second.lines).toContain('stopped');

      const counts = await pool.query<{ event_id: string; n: string }>(
        'SELECT event_id, count(*) AS n FROM effects GROUP BY event_id ORDER BY event_id',
      );
      expect(counts.rows).toEqual(ids.map((id) => ({ event_id: id, n: '1' })));
      // The clean stop committed behind the last message: a third start would have nothing to redo.
      const [final] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      expect(final!.partitions[0]!.offset).toBe('3');
    } finally {
      await admin.disconnect();
    }
  }, 120_000);
});
