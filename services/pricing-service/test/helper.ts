import { randomUUID } from 'node:crypto';
import { parseConfig } from '@shop/common';
import { stackEnv } from '@shop/testing';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { configSchema } from '../src/config.js';
import { migrate } from '../src/db/migrate.js';

export type App = Awaited<ReturnType<typeof buildApp>>;

const env = stackEnv();

/**
 * A database of its own for one test file, on the stack's PostgreSQL and owned by the pricing role as the
 * service's is. Price books are unique per region and currency and there are three regions, so tests
 * cannot share the service's database without stepping on each other (or on seeded data).
 */
export interface TestDatabase {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

function superuser(): pg.Client {
  return new pg.Client({
    host: env.STACK_HOST,
    port: Number(env.POSTGRES_PORT),
    user: env.POSTGRES_SUPERUSER,
    password: env.POSTGRES_PASSWORD,
    database: 'postgres',
  });
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `pricing_test_${randomUUID().slice(0, 8)}`;
  const admin = superuser();
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} OWNER pricing`);
  } finally {
    await admin.end();
  }
  const service = new URL(env.PRICING_DATABASE_URL!);
  service.pathname = `/${name}`;
  const url = service.toString();
  await migrate(url);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  return {
    url,
    pool,
    async drop() {
      await pool.end();
      const client = superuser();
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Builds the app against the running stack (or the given overrides), migrated and ready. */
export async function buildTestApp(overrides: Record<string, string> = {}): Promise<App> {
  const config = parseConfig(configSchema, stackEnv(overrides));
  await migrate(config.PRICING_DATABASE_URL);
  const app = await buildApp(config);
  await app.ready();
  return app;
}

export type Role = 'customer' | 'admin' | 'service';

export function bearer(app: App, sub: string, roles: Role[]): Record<string, string> {
  return { authorization: `Bearer ${app.jwt.sign({ sub, roles })}` };
}

/** Every field a problem names: the schema's `errors[].field` and a domain error's `field`. */
export function fieldsOf(problem: { errors?: { field: string }[]; field?: string }): string[] {
  return [...(problem.errors ?? []).map((e) => e.field), ...(problem.field ? [problem.field] : [])];
}

/** A SKU no other test run has used. */
export function uniqueSku(tag = 'SKU'): string {
  return `${tag}-${randomUUID().slice(0, 8)}`.toUpperCase();
}
