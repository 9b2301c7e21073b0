// Throwaway pieces of the running stack for `pnpm bench events`: a PostgreSQL database owned by its own role
// (as a service's is), a Debezium outbox connector made from the repo's own definition, topics with their
// DLQs. Mirrors packages/common/test/fixtures/outbox-stack.ts, copied rather than imported so the scripts do
// not compile test code; keep the two in step when the connector set-up changes.
import { readFileSync } from 'node:fs';
import { createKafka } from '@shop/common';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import { env } from './lib.js';

// A bench creates and drops databases, slots and topics: only ever on this machine's stack.
if (env.STACK_HOST !== '127.0.0.1' && env.STACK_HOST !== 'localhost')
  throw new Error(`bench events only targets 127.0.0.1, not STACK_HOST=${env.STACK_HOST}`);

export const brokers = [`${env.STACK_HOST}:${env.KAFKA_PORT}`];
const connectUrl = `http://${env.STACK_HOST}:${env.CONNECT_PORT}`;

export function benchKafka(clientId: string): Kafka {
  return createKafka({ brokers, clientId });
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Creates each topic and its `.dlq` (consume() parks there), with `partitions` partitions. */
export async function createTopics(kafka: Kafka, topics: string[], partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.flatMap((t) => [t, `${t}.dlq`]).map((topic) => ({ topic, numPartitions: partitions })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** Deletes topics and consumer groups; whatever is already gone is fine. */
export async function deleteTopicsAndGroups(kafka: Kafka, topics: string[], groups: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((t) => existing.has(t));
    if (present.length > 0) await admin.deleteTopics({ topics: present }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

function pgSuperuser(): pg.Client {
  return new pg.Client({
    host: env.STACK_HOST,
    port: Number(env.POSTGRES_PORT),
    user: env.POSTGRES_SUPERUSER,
    password: env.POSTGRES_PASSWORD,
    database: 'postgres',
  });
}

export interface PgDatabase {
  name: string;
  url: string;
  /** Drops the database (with Debezium's publication in it) and its role. */
  drop(): Promise<void>;
}

/** A database owned by its own login role, which Debezium may read (it ALTERs the publication as owner). */
export async function createPgDatabase(run: string, ddl: string[]): Promise<PgDatabase> {
  const name = `bench_events_${run}`;
  const owner = name;
  const password = 'bench-events-dev';
  const su = pgSuperuser();
  await su.connect();
  try {
    await su.query(`CREATE ROLE ${owner} LOGIN PASSWORD '${password}'`);
    await su.query(`CREATE DATABASE ${name} OWNER ${owner}`);
    await su.query(`GRANT ${owner} TO debezium`);
  } finally {
    await su.end();
  }
  const url = `postgres://${owner}:${password}@${env.STACK_HOST}:${env.POSTGRES_PORT}/${name}`;
  const drop = async () => {
    const c = pgSuperuser();
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.query(`DROP ROLE IF EXISTS ${owner}`);
    } finally {
      await c.end();
    }
  };
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    for (const statement of ddl) await client.query(statement);
  } catch (err) {
    // Nothing has been handed to the caller yet, so nobody else would clean up.
    await drop().catch(() => undefined);
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
  return { name, url, drop };
}

/**
 * Drops a replication slot once its connector let go of it; an abandoned slot holds WAL forever. A walsender
 * still holding it after `graceMs` (an orphaned task, see decision 060) is terminated first.
 */
export async function dropSlot(slot: string, graceMs = 15_000): Promise<void> {
  const su = pgSuperuser();
  await su.connect();
  try {
    const deadline = Date.now() + graceMs;
    for (;;) {
      const { rows } = await su.query<{ active: boolean; active_pid: number | null }>(
        'SELECT active, active_pid FROM pg_replication_slots WHERE slot_name = $1',
        [slot],
      );
      if (rows.length === 0) return;
      if (!rows[0]!.active) {
        await su.query('SELECT pg_drop_replication_slot($1)', [slot]);
        return;
      }
      if (Date.now() > deadline + 30_000) throw new Error(`replication slot ${slot} still in use`);
      if (Date.now() > deadline && rows[0]!.active_pid)
        await su.query('SELECT pg_terminate_backend($1)', [rows[0]!.active_pid]);
      await pause(250);
    }
  } finally {
    await su.end();
  }
}

export interface Connector {
  name: string;
  config: Record<string, string>;
  /** Its heartbeat topic, which the broker will not create for it. */
  heartbeatTopic: string;
}

/**
 * The PostgreSQL outbox connector exactly as the repo defines it (customer-outbox.json), pointed at the
 * throwaway database with its own slot and topic prefix; `tuning` overrides settings for this run only.
 */
export function pgConnector(run: string, database: string, tuning: Record<string, string> = {}): Connector {
  const file = new URL('../../docker/debezium/connectors/customer-outbox.json', import.meta.url);
  const base = JSON.parse(readFileSync(file, 'utf8')) as { config: Record<string, string> };
  const name = `bench-events-${run}`;
  const prefix = `benchevents.${run}`;
  return {
    name,
    heartbeatTopic: `__debezium-heartbeat.${prefix}`,
    config: {
      ...base.config,
      'database.dbname': database,
      'slot.name': `bench_events_${run}`,
      'topic.prefix': prefix,
      ...tuning,
      name,
    },
  };
}

async function connectorState(name: string): Promise<{ connector: string; tasks: string[]; trace?: string }> {
  const res = await fetch(`${connectUrl}/connectors/${name}/status`);
  if (res.status === 404) return { connector: 'MISSING', tasks: [] };
  const body = (await res.json()) as {
    connector: { state: string };
    tasks: { state: string; trace?: string }[];
  };
  return {
    connector: body.connector.state,
    tasks: body.tasks.map((t) => t.state),
    trace: body.tasks.find((t) => t.trace)?.trace,
  };
}

/** Registers the connector (PUT is create-or-update) and waits, at most 90 s, until its task runs. */
export async function startConnector(kafka: Kafka, c: Connector): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(c.heartbeatTopic))
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic: c.heartbeatTopic, numPartitions: 1 }],
      });
  } finally {
    await admin.disconnect();
  }
  const res = await fetch(`${connectUrl}/connectors/${c.name}/config`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(c.config),
  });
  if (!res.ok) throw new Error(`registering ${c.name}: ${res.status} ${await res.text()}`);
  const deadline = Date.now() + 90_000;
  for (;;) {
    const state = await connectorState(c.name).catch(() => ({
      connector: 'UNREACHABLE',
      tasks: [] as string[],
    }));
    if (state.tasks.includes('FAILED'))
      throw new Error(`connector ${c.name} failed: ${(state as { trace?: string }).trace}`);
    if (state.connector === 'RUNNING' && state.tasks.length > 0 && state.tasks.every((t) => t === 'RUNNING'))
      return;
    if (Date.now() > deadline) throw new Error(`connector ${c.name} not running: ${JSON.stringify(state)}`);
    await pause(500);
  }
}

/** Deletes the connector and waits, at most 30 s, until Connect no longer knows it. */
export async function deleteConnector(name: string): Promise<void> {
  await fetch(`${connectUrl}/connectors/${name}`, { method: 'DELETE' }).catch(() => undefined);
  const deadline = Date.now() + 30_000;
  while ((await connectorState(name).catch(() => ({ connector: 'MISSING' }))).connector !== 'MISSING') {
    if (Date.now() > deadline) return;
    await pause(250);
  }
}
