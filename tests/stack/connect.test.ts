// Kafka Connect with Debezium, end to end over real servers: an outbox row written to PostgreSQL (and
// MariaDB) reaches its routed topic with the payload's exact bytes, the aggregate id as key and the event
// id as header. The connector configs come from docker/debezium/connectors/, so the files users run are
// the files tested. Needs `pnpm stack up postgres mariadb-primary kafka connect` (MariaDB is optional).
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { type Admin, Kafka, type KafkaMessage, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackEnv, root } from '../../scripts/stack/env.js';
import {
  auxiliaryTopics,
  type ConnectorDefinition,
  connectorEnv,
  ensureTopics,
  putConnector,
  readDefinitions,
  resolveConfig,
} from '../../scripts/stack/lib/kafka-connectors.js';
import { portOpen } from '../../scripts/stack/runtime.js';

const env = loadStackEnv();
const connectUrl = `http://${env.STACK_HOST}:${env.CONNECT_PORT}`;
const kafka = new Kafka({
  clientId: 'stack-test',
  brokers: [`${env.STACK_HOST}:${env.KAFKA_PORT}`],
  logLevel: logLevel.NOTHING,
});
const run = randomUUID().slice(0, 8);
const definitions = readDefinitions(path.join(root, 'docker/debezium/connectors'));
const mariadbUp = await portOpen(Number(env.MYSQL_PORT), env.STACK_HOST);

let admin: Admin;

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin.disconnect();
});

/** A connector definition from the repo, pointed at a throwaway database, slot and topic prefix. */
function fromTemplate(template: string, overrides: Record<string, string>): ConnectorDefinition {
  const base = definitions.find((d) => d.name === template);
  if (!base) throw new Error(`docker/debezium/connectors has no ${template}`);
  const name = `stack-test-${run}-${template}`;
  return { name, config: { ...base.config, ...overrides, name } };
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

async function waitRunning(name: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const state = await connectorState(name);
    if (state.tasks.includes('FAILED')) throw new Error(`connector ${name} failed:\n${state.trace}`);
    if (state.connector === 'RUNNING' && state.tasks.length > 0 && state.tasks.every((t) => t === 'RUNNING'))
      return;
    if (Date.now() > deadline) throw new Error(`connector ${name} not running: ${JSON.stringify(state)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function deleteConnector(name: string): Promise<void> {
  await fetch(`${connectUrl}/connectors/${name}`, { method: 'DELETE' });
  const deadline = Date.now() + 30_000;
  while ((await connectorState(name)).connector !== 'MISSING' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Reads `topic` from the beginning until `count` messages arrived. */
async function consume(topic: string, count: number): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: `stack-test-${run}-${topic}` });
  const received: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push(message);
      },
    });
    const deadline = Date.now() + 60_000;
    while (received.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    // A little longer: a duplicate would show up now, and there must be none while everything is healthy.
    await new Promise((r) => setTimeout(r, 2000));
    return received;
  } finally {
    await consumer.disconnect();
  }
}

interface OutboxRow {
  id: string;
  aggregateId: string;
  payload: Buffer;
  region: string;
}

/** Avro in the registry's wire format starts with a zero magic byte and a schema id; any bytes must pass. */
function payload(): Buffer {
  return Buffer.concat([Buffer.from([0, 0, 0, 0, 7]), randomBytes(64), Buffer.from([0, 0xff, 0x80])]);
}

/**
 * Two events of one aggregate written before the connector starts, with ids that sort opposite to the order
 * they were written: the initial snapshot must follow the outbox's `seq`, not the primary key, or the
 * aggregate's history reaches Kafka reversed.
 */
function eventsBeforeStart(aggregateId: string, region: string): OutboxRow[] {
  const tail = randomUUID().slice(8);
  return [
    { id: `ffffffff${tail}`, aggregateId, payload: payload(), region },
    { id: `00000000${tail}`, aggregateId, payload: payload(), region },
  ];
}

function expectDelivered(messages: KafkaMessage[], rows: OutboxRow[]): void {
  expect(messages).toHaveLength(rows.length);
  for (const row of rows) {
    const message = messages.find((m) => m.headers?.event_id?.toString() === row.id);
    expect(message, `event ${row.id} on the topic`).toBeDefined();
    expect(message!.key!.toString()).toBe(row.aggregateId);
    expect(Buffer.compare(message!.value!, row.payload)).toBe(0);
    expect(message!.headers!.id!.toString()).toBe(row.id);
    expect(message!.headers!.region!.toString()).toBe(row.region);
  }
}

describe('debezium postgres outbox', () => {
  const database = `stack_test_outbox_${run}`;
  const owner = `stack_test_owner_${run}`;
  const ownerPassword = 'stack-test-dev';
  const topic = `stacktest.outbox-pg-${run}.v1`;
  const superuser = () =>
    new pg.Client({
      host: env.STACK_HOST,
      port: Number(env.POSTGRES_PORT),
      user: env.POSTGRES_SUPERUSER,
      password: env.POSTGRES_PASSWORD,
      database: 'postgres',
    });
  const asOwner = () =>
    new pg.Client({
      host: env.STACK_HOST,
      port: Number(env.POSTGRES_PORT),
      user: owner,
      password: ownerPassword,
      database,
    });
  const def = fromTemplate('customer-outbox', {
    'database.dbname': database,
    'slot.name': `stack_test_${run}`,
    'topic.prefix': `stacktest.${run}`,
  });

  async function insert(client: pg.Client, row: OutboxRow): Promise<void> {
    await client.query(
      `INSERT INTO outbox_events (id, aggregatetype, aggregateid, topic, payload, region, traceparent)
       VALUES ($1, 'stacktest', $2, $3, $4, $5, NULL)`,
      [row.id, row.aggregateId, topic, row.payload, row.region],
    );
  }

  beforeAll(async () => {
    // A service's layout in miniature: a database owned by the service's role, the outbox created by that
    // role, and debezium granted the role as docker/postgres/init.sql does for the real services.
    const su = superuser();
    await su.connect();
    try {
      await su.query(`CREATE ROLE ${owner} LOGIN PASSWORD '${ownerPassword}'`);
      await su.query(`CREATE DATABASE ${database} OWNER ${owner}`);
      await su.query(`GRANT ${owner} TO debezium`);
    } finally {
      await su.end();
    }
    const client = asOwner();
    await client.connect();
    try {
      await client.query(`CREATE TABLE outbox_events (
        id uuid PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        aggregatetype text NOT NULL,
        aggregateid text NOT NULL,
        topic text NOT NULL,
        payload bytea NOT NULL,
        region text NOT NULL,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        traceparent text
      )`);
    } finally {
      await client.end();
    }
    await ensureTopics(admin, [topic, ...auxiliaryTopics(resolveConfig(def.config, connectorEnv(env)))]);
  });

  afterAll(async () => {
    await deleteConnector(def.name);
    const su = superuser();
    await su.connect();
    try {
      // A deleted connector leaves its slot behind, and an abandoned slot holds WAL forever.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const { rows } = await su.query<{ active: boolean }>(
          'SELECT active FROM pg_replication_slots WHERE slot_name = $1',
          [def.config['slot.name']],
        );
        if (rows.length === 0) break;
        if (!rows[0]!.active) {
          await su.query('SELECT pg_drop_replication_slot($1)', [def.config['slot.name']]);
          break;
        }
        if (Date.now() > deadline)
          throw new Error('replication slot still in use after the connector was deleted');
        await new Promise((r) => setTimeout(r, 250));
      }
      await su.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await su.query(`DROP ROLE IF EXISTS ${owner}`);
    } finally {
      await su.end();
    }
    await admin
      .deleteTopics({ topics: [topic, ...auxiliaryTopics(resolveConfig(def.config, connectorEnv(env)))] })
      .catch(() => undefined);
  });

  it('delivers rows written before and after the connector started, bytes unchanged, keyed by aggregate id', async () => {
    const client = asOwner();
    await client.connect();
    try {
      // Written before the connector exists: must come through the initial snapshot, not be lost.
      const before = eventsBeforeStart(`agg-${run}-1`, 'eu-west');
      for (const row of before) await insert(client, row);

      await putConnector(connectUrl, def);
      await waitRunning(def.name);
      // Registering again is a no-op update: bootstrap does this on every `make up`.
      await putConnector(connectUrl, def);

      const after = [
        { id: randomUUID(), aggregateId: `agg-${run}-1`, payload: payload(), region: 'eu-west' },
        { id: randomUUID(), aggregateId: `agg-${run}-2`, payload: payload(), region: 'us-east' },
      ];
      // One transaction, like a service writing state and outbox together.
      await client.query('BEGIN');
      for (const row of after) await insert(client, row);
      await client.query('COMMIT');

      const messages = await consume(topic, 4);
      expectDelivered(messages, [...before, ...after]);
      // Per-aggregate order: agg-1's snapshot events, in the order written, then its streamed one.
      const agg1 = messages
        .filter((m) => m.key!.toString() === `agg-${run}-1`)
        .map((m) => m.headers!.event_id!.toString());
      expect(agg1).toEqual([before[0]!.id, before[1]!.id, after[0]!.id]);
    } finally {
      await client.end();
    }
  });

  it('stores the connector config with env placeholders, never the resolved password', async () => {
    const res = await fetch(`${connectUrl}/connectors/${def.name}/config`);
    const config = (await res.json()) as Record<string, string>;
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Kafka Connect's placeholder syntax, not a template.
    expect(config['database.password']).toBe('${env:DEBEZIUM_POSTGRES_PASSWORD}');
  });
});

describe.runIf(mariadbUp)('debezium mariadb outbox', () => {
  const database = `stack_test_outbox_${run}`;
  const topic = `stacktest.outbox-maria-${run}.v1`;
  const def = fromTemplate('order-outbox', {
    'database.server.id': String(6000 + Math.floor(Math.random() * 1000)),
    'topic.prefix': `stacktest.${run}`,
    'database.include.list': database,
    'table.include.list': `${database}.outbox_events`,
    'schema.history.internal.kafka.topic': `_debezium-schema-history.stacktest-${run}`,
    'snapshot.select.statement.overrides': `${database}.outbox_events`,
    [`snapshot.select.statement.overrides.${database}.outbox_events`]: `SELECT * FROM \`${database}\`.\`outbox_events\` ORDER BY \`seq\``,
  });
  delete def.config['snapshot.select.statement.overrides.order.outbox_events'];
  const rootConnection = (db?: string) =>
    mysql.createConnection({
      host: env.STACK_HOST,
      port: Number(env.MYSQL_PORT),
      user: 'root',
      password: env.MYSQL_ROOT_PASSWORD,
      database: db,
    });

  async function insert(conn: mysql.Connection, row: OutboxRow): Promise<void> {
    await conn.query(
      `INSERT INTO outbox_events (id, aggregatetype, aggregateid, topic, payload, region, traceparent)
       VALUES (?, 'stacktest', ?, ?, ?, ?, NULL)`,
      [row.id, row.aggregateId, topic, row.payload, row.region],
    );
  }

  beforeAll(async () => {
    const conn = await rootConnection();
    try {
      await conn.query(`CREATE DATABASE ${database}`);
      await conn.query(`CREATE TABLE ${database}.outbox_events (
        id CHAR(36) NOT NULL PRIMARY KEY,
        seq BIGINT NOT NULL AUTO_INCREMENT UNIQUE,
        aggregatetype VARCHAR(64) NOT NULL,
        aggregateid VARCHAR(128) NOT NULL,
        topic VARCHAR(249) NOT NULL,
        payload LONGBLOB NOT NULL,
        region VARCHAR(32) NOT NULL,
        occurred_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
        traceparent VARCHAR(128) NULL
      )`);
    } finally {
      await conn.end();
    }
    await ensureTopics(admin, [topic, ...auxiliaryTopics(resolveConfig(def.config, connectorEnv(env)))]);
  });

  afterAll(async () => {
    await deleteConnector(def.name);
    const conn = await rootConnection();
    try {
      await conn.query(`DROP DATABASE IF EXISTS ${database}`);
    } finally {
      await conn.end();
    }
    await admin
      .deleteTopics({
        topics: [
          topic,
          def.config['schema.history.internal.kafka.topic']!,
          ...auxiliaryTopics(resolveConfig(def.config, connectorEnv(env))),
        ],
      })
      .catch(() => undefined);
  });

  it('delivers rows written before and after the connector started, bytes unchanged, keyed by aggregate id', async () => {
    const conn = await rootConnection(database);
    try {
      const before = eventsBeforeStart(`agg-${run}-1`, 'eu-west');
      for (const row of before) await insert(conn, row);

      await putConnector(connectUrl, def);
      await waitRunning(def.name);

      const after = [
        { id: randomUUID(), aggregateId: `agg-${run}-1`, payload: payload(), region: 'eu-west' },
        { id: randomUUID(), aggregateId: `agg-${run}-2`, payload: payload(), region: 'ap-south' },
      ];
      await conn.beginTransaction();
      for (const row of after) await insert(conn, row);
      await conn.commit();

      const messages = await consume(topic, 4);
      expectDelivered(messages, [...before, ...after]);
      const agg1 = messages
        .filter((m) => m.key!.toString() === `agg-${run}-1`)
        .map((m) => m.headers!.event_id!.toString());
      expect(agg1).toEqual([before[0]!.id, before[1]!.id, after[0]!.id]);
    } finally {
      await conn.end();
    }
  });
});
