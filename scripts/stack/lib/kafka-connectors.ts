// Registers the Debezium connector definitions of docker/debezium/connectors/*.json with a Kafka Connect
// worker, idempotently (PUT /connectors/<name>/config creates or updates), and only once the outbox tables a
// definition reads exist: a connector started before its table would snapshot nothing and, on MariaDB,
// record a schema history without the table. The files are the same ones a Compose user POSTs to /connectors.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Admin } from 'kafkajs';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { type StackEnv, StackError } from '../runtime.js';
import { brokerAddress } from './kafka-jvm.js';

/** The body of POST /connectors: what each docker/debezium/connectors/*.json holds. */
export interface ConnectorDefinition {
  name: string;
  config: Record<string, string>;
}

const POSTGRES_CONNECTOR = 'io.debezium.connector.postgresql.PostgresConnector';
const BINLOG_CONNECTORS = [
  'io.debezium.connector.mariadb.MariaDbConnector',
  'io.debezium.connector.mysql.MySqlConnector',
];

/** The connector classes the worker must offer for the lab's definitions to run. */
export const REQUIRED_PLUGINS = [POSTGRES_CONNECTOR, ...BINLOG_CONNECTORS];

/**
 * The variables connector definitions read through Connect's EnvVarConfigProvider (`${env:NAME}`): where the
 * databases and the broker are, as seen from the worker. Natively that is this machine's ports; under
 * Compose the same names point at the service hostnames. Credentials are development ones (docker/*\/init.sql).
 */
export function connectorEnv(env: StackEnv): Record<string, string> {
  return {
    DEBEZIUM_KAFKA_BOOTSTRAP: brokerAddress(env),
    DEBEZIUM_POSTGRES_HOST: env.STACK_HOST!,
    DEBEZIUM_POSTGRES_PORT: env.POSTGRES_PORT!,
    DEBEZIUM_POSTGRES_USER: env.DEBEZIUM_POSTGRES_USER ?? 'debezium',
    DEBEZIUM_POSTGRES_PASSWORD: env.DEBEZIUM_POSTGRES_PASSWORD ?? 'debezium-dev',
    DEBEZIUM_MYSQL_HOST: env.STACK_HOST!,
    DEBEZIUM_MYSQL_PORT: env.MYSQL_PORT!,
    DEBEZIUM_MYSQL_USER: env.DEBEZIUM_MYSQL_USER ?? 'debezium',
    DEBEZIUM_MYSQL_PASSWORD: env.DEBEZIUM_MYSQL_PASSWORD ?? 'debezium-dev',
  };
}

/** Replaces `${env:NAME}` the way the worker's EnvVarConfigProvider will, so bootstrap sees what the connector sees. */
export function resolveConfig(
  config: Record<string, string>,
  vars: Record<string, string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    out[key] = value.replace(/\$\{env:([A-Z0-9_]+)\}/g, (_, name: string) => {
      const v = vars[name];
      if (v === undefined) throw new StackError(`connector config ${key} names unknown variable ${name}`);
      return v;
    });
  }
  return out;
}

export function readDefinitions(dir: string): ConnectorDefinition[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const def = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as ConnectorDefinition;
      if (typeof def.name !== 'string' || typeof def.config !== 'object') {
        throw new StackError(`${f}: expected { "name": ..., "config": { ... } }`);
      }
      return def;
    });
}

/** `schema.table` / `database.table` entries of table.include.list; the lab's definitions name them literally. */
function outboxTables(config: Record<string, string>): [string, string][] {
  const list = config['table.include.list'];
  if (!list) throw new StackError(`connector ${config.name ?? ''} has no table.include.list`);
  return list.split(',').map((entry) => {
    const [schema, table] = entry.trim().split('.');
    if (!schema || !table) throw new StackError(`table.include.list entry ${entry} is not <schema>.<table>`);
    return [schema, table];
  });
}

/** Why the connector cannot start yet (missing database, table or grant), or undefined when it can. */
async function missingPrerequisite(config: Record<string, string>): Promise<string | undefined> {
  const tables = outboxTables(config);
  const cls = config['connector.class'] ?? '';
  if (cls === POSTGRES_CONNECTOR) {
    const database = config['database.dbname']!;
    const client = new pg.Client({
      host: config['database.hostname'],
      port: Number(config['database.port']),
      user: config['database.user'],
      password: config['database.password'],
      database,
      connectionTimeoutMillis: 3000,
    });
    try {
      await client.connect();
    } catch (err) {
      return `cannot connect to database ${database} as ${config['database.user']}: ${(err as Error).message}`;
    }
    try {
      for (const [schema, table] of tables) {
        // pg_catalog answers without any grant on the table; has_table_privilege then says whether we may read it.
        const { rows } = await client.query<{ readable: boolean }>(
          `SELECT has_table_privilege(c.oid, 'SELECT') AS readable FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
          [schema, table],
        );
        if (rows.length === 0) return `table ${schema}.${table} does not exist in database ${database} yet`;
        if (!rows[0]!.readable) return `${config['database.user']} may not SELECT ${schema}.${table}`;
      }
      return undefined;
    } finally {
      await client.end();
    }
  }
  if (BINLOG_CONNECTORS.includes(cls)) {
    let conn: mysql.Connection;
    try {
      conn = await mysql.createConnection({
        host: config['database.hostname'],
        port: Number(config['database.port']),
        user: config['database.user'],
        password: config['database.password'],
        connectTimeout: 3000,
      });
    } catch (err) {
      return `cannot connect to ${config['database.hostname']}:${config['database.port']}: ${(err as Error).message}`;
    }
    try {
      for (const [database, table] of tables) {
        const [rows] = await conn.query<mysql.RowDataPacket[]>(
          'SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?',
          [database, table],
        );
        if (rows.length === 0) return `table ${database}.${table} does not exist yet`;
      }
      return undefined;
    } finally {
      await conn.end();
    }
  }
  throw new StackError(`connector class ${cls} is not one the lab registers`);
}

/**
 * Topics a connector writes to besides the routed event topics, which must exist because the broker never
 * creates topics implicitly: Debezium's heartbeat topic (heartbeats keep an idle PostgreSQL slot from
 * holding WAL and carry the binlog position forward).
 */
export function auxiliaryTopics(config: Record<string, string>): string[] {
  if (!config['heartbeat.interval.ms'] || config['heartbeat.interval.ms'] === '0') return [];
  const prefix = config['topic.heartbeat.prefix'] ?? '__debezium-heartbeat';
  return [`${prefix}.${config['topic.prefix']}`];
}

export async function ensureTopics(admin: Admin, topics: string[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length === 0) return;
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })),
  });
}

/**
 * PUT /connectors/<name>/config: creates the connector or updates it in place; safe to repeat. A connector
 * whose stored config is already the definition is left alone: a PUT would restart it for nothing.
 */
export async function putConnector(connectUrl: string, def: ConnectorDefinition): Promise<void> {
  const desired = { ...def.config, name: def.name };
  const current = await fetch(`${connectUrl}/connectors/${encodeURIComponent(def.name)}/config`, {
    signal: AbortSignal.timeout(10_000),
  });
  if (current.ok && sameConfig((await current.json()) as Record<string, string>, desired)) return;
  const res = await fetch(`${connectUrl}/connectors/${encodeURIComponent(def.name)}/config`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(desired),
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok) throw new StackError(`registering ${def.name} failed: ${res.status} ${await res.text()}`);
}

export interface RegistrationResult {
  registered: string[];
  skipped: { name: string; reason: string }[];
}

/** Registers every definition whose prerequisites hold; reports the others with the reason. */
export async function registerConnectors(opts: {
  connectUrl: string;
  definitionsDir: string;
  env: StackEnv;
  admin: Admin;
}): Promise<RegistrationResult> {
  const vars = connectorEnv(opts.env);
  const result: RegistrationResult = { registered: [], skipped: [] };
  for (const def of readDefinitions(opts.definitionsDir)) {
    const resolved = resolveConfig(def.config, vars);
    const reason = await missingPrerequisite(resolved);
    if (reason) {
      result.skipped.push({ name: def.name, reason });
      continue;
    }
    await ensureTopics(opts.admin, auxiliaryTopics(resolved));
    // The unresolved definition goes to the worker: credentials stay `${env:...}` in Connect's config topic.
    await putConnector(opts.connectUrl, def);
    result.registered.push(def.name);
  }
  return result;
}

function sameConfig(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if (a[key] !== b[key]) return false;
  return true;
}

/** Tasks of the registered connectors that are not RUNNING, with the first line of their trace. */
export async function unhealthyTasks(connectUrl: string): Promise<string[]> {
  const res = await fetch(`${connectUrl}/connectors?expand=status`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) return [`GET /connectors answered ${res.status}`];
  const all = (await res.json()) as Record<
    string,
    { status: { tasks: { id: number; state: string; trace?: string }[] } }
  >;
  const bad: string[] = [];
  for (const [name, { status }] of Object.entries(all)) {
    for (const task of status.tasks) {
      if (task.state !== 'RUNNING')
        bad.push(`${name}-${task.id} ${task.state}: ${(task.trace ?? '').split('\n')[0]}`);
    }
  }
  return bad;
}
