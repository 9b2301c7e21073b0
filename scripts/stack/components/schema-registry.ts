// Apicurio Registry 3.0 from Maven Central, serving the Confluent-compatible API under /apis/ccompat/v7.
// Its storage is the stack's PostgreSQL (database `registry`), so registered schemas and rules survive a
// restart; it needs no Kafka. Compatibility is BACKWARD_TRANSITIVE globally, as the architecture requires.

import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { loadContracts, registerContracts } from '../../../packages/contracts/src/index.js';
import { mavenUnpack } from '../lib/registry-maven.js';
import {
  aptInstall,
  type Component,
  type Context,
  ensureDir,
  portOpen,
  type StackEnv,
  StackError,
  spawnDaemon,
} from '../runtime.js';
import postgres from './postgres.js';

// The role and database docker/postgres/init.sql creates for the registry (development password).
const database = { name: 'registry', user: 'registry', password: 'registry-dev' } as const;

const compatibility = 'BACKWARD_TRANSITIVE';

/** The Confluent-compatible base URL every client in the lab uses (SCHEMA_REGISTRY_URL). */
export function registryUrl(env: StackEnv): string {
  return `http://${env.STACK_HOST}:${env.SCHEMA_REGISTRY_PORT}/apis/ccompat/v7`;
}

const pomFile = (ctx: Context) => path.join(ctx.root, 'docker/native/schema-registry/pom.xml');

function runnerJar(dir: string): string {
  const jar = readdirSync(dir).find((f) => f.endsWith('-runner.jar'));
  if (!jar)
    throw new StackError(`no Apicurio runner jar in ${dir}; run \`pnpm stack clean schema-registry\``);
  return path.join(dir, jar);
}

/**
 * The registry's role and database are made by postgres's bootstrap, which the runtime only runs once every
 * component has started — after this one on a fresh machine. Running that idempotent bootstrap here first
 * keeps a first `pnpm stack up` from failing.
 */
async function ensureDatabase(ctx: Context): Promise<void> {
  if (!(await portOpen(Number(ctx.env.POSTGRES_PORT), ctx.env.STACK_HOST))) {
    throw new StackError(
      'the schema registry stores its data in PostgreSQL: run `pnpm stack up postgres` first',
    );
  }
  const client = new pg.Client({
    host: ctx.env.STACK_HOST,
    port: Number(ctx.env.POSTGRES_PORT),
    user: database.user,
    password: database.password,
    database: database.name,
    connectionTimeoutMillis: 2000,
  });
  try {
    await client.connect();
    return;
  } catch {
    ctx.log(`database ${database.name} not reachable yet; running the postgres bootstrap`);
  } finally {
    await client.end().catch(() => undefined);
  }
  await postgres.bootstrap!({ ...ctx, log: (m) => ctx.log(`postgres: ${m}`) });
}

function applicationProperties(env: StackEnv): string {
  return [
    `quarkus.http.host=${env.STACK_HOST}`,
    `quarkus.http.port=${env.SCHEMA_REGISTRY_PORT}`,
    'apicurio.storage.kind=sql',
    'apicurio.storage.sql.kind=postgresql',
    `apicurio.datasource.url=jdbc:postgresql://${env.STACK_HOST}:${env.POSTGRES_PORT}/${database.name}`,
    `apicurio.datasource.username=${database.user}`,
    `apicurio.datasource.password=${database.password}`,
    // The upstream pool keeps 20 connections open (up to 100); PostgreSQL is shared by six services here.
    'apicurio.datasource.jdbc.initial-size=2',
    'apicurio.datasource.jdbc.min-size=2',
    'apicurio.datasource.jdbc.max-size=10',
    // Applies before the first bootstrap too; bootstrap() also stores it through the API, where it persists.
    `apicurio.rules.global.compatibility=${compatibility}`,
    // Deleting a subject is off by default in 3.x; tests and `stack clean` of a contract need it.
    'apicurio.rest.deletion.artifact.enabled=true',
    'apicurio.rest.deletion.artifact-version.enabled=true',
    'apicurio.rest.deletion.group.enabled=true',
    'apicurio.app.name=Apicurio Registry (incident lab)',
    // The upstream pattern prints dates as `2025-11+00-23`.
    'quarkus.log.console.format=%d{yyyy-MM-dd HH:mm:ss} %p [%c{2.}] (%t) %m%n',
    // Readiness probes every half second would drown the log.
    'quarkus.http.access-log.exclude-pattern=/apis/ccompat/v7/subjects|/health/.*',
    '',
  ].join('\n');
}

const schemaRegistry: Component = {
  name: 'schema-registry',
  summary: 'Apicurio Registry 3.0 (Confluent-compatible API, PostgreSQL storage)',
  order: 30,
  address: registryUrl,
  ports: (env) => [Number(env.SCHEMA_REGISTRY_PORT)],
  async install(ctx) {
    await aptInstall(ctx, ['openjdk-17-jre-headless', 'maven']);
    await mavenUnpack(ctx, 'schema-registry', pomFile(ctx));
  },
  async start(ctx) {
    await ensureDatabase(ctx);
    const app = await mavenUnpack(ctx, 'schema-registry', pomFile(ctx)); // cached: only finds the folder
    // Quarkus reads config/application.properties relative to its working directory.
    const configDir = ensureDir(path.join(ctx.dir, 'config'));
    writeFileSync(path.join(configDir, 'application.properties'), applicationProperties(ctx.env), {
      mode: 0o600,
    });
    spawnDaemon(
      ctx,
      'java',
      [
        // The upstream image leaves the heap to the JVM's ergonomics (a quarter of RAM); pin it small.
        '-Xms128m',
        '-Xmx384m',
        '-XX:MaxMetaspaceSize=192m',
        // A single-user lab registry: the serial collector costs the least memory beside the heap.
        '-XX:+UseSerialGC',
        '-XX:+ExitOnOutOfMemoryError',
        '-Djava.awt.headless=true',
        '-jar',
        runnerJar(app),
      ],
      { cwd: ctx.dir },
    );
  },
  async ready(ctx) {
    const res = await fetch(`${registryUrl(ctx.env)}/subjects`, { signal: AbortSignal.timeout(2000) });
    return res.status === 200;
  },
  // The first start creates the registry's tables.
  readyTimeoutMs: 120_000,
  async bootstrap(ctx) {
    const res = await fetch(`${registryUrl(ctx.env)}/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ compatibility }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json().catch(() => ({}))) as {
      compatibilityLevel?: string;
      compatibility?: string;
    };
    const level = body.compatibilityLevel ?? body.compatibility;
    if (!res.ok || level !== compatibility) {
      throw new StackError(
        `could not set the registry's compatibility: ${res.status} ${JSON.stringify(body)}`,
      );
    }
    ctx.log(`global compatibility ${compatibility}`);
    // Every contract in schema-contracts/ under `<topic>-value`, so producers can encode from their first
    // request. Idempotent: an unchanged schema adds no version; an incompatible one fails here, loudly.
    const results = await registerContracts(
      registryUrl(ctx.env),
      loadContracts(path.join(ctx.root, 'schema-contracts')),
    );
    const created = results.filter((r) => r.created).length;
    ctx.log(`${results.length} contracts registered (${created} new)`);
  },
  bootstrapUnderCompose: true,
};

export default schemaRegistry;
