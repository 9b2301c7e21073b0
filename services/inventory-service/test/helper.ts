import { randomUUID } from 'node:crypto';
import { parseConfig } from '@shop/common';
import { stackEnv } from '@shop/testing';
import { buildApp } from '../src/app.js';
import { type Config, configSchema } from '../src/config.js';
import { setupSchema } from '../src/db/schema.js';

export type App = Awaited<ReturnType<typeof buildApp>>;

export function testConfig(overrides: Record<string, string> = {}): Config {
  return parseConfig(configSchema, stackEnv({ INVENTORY_WORKERS: '0', ...overrides }));
}

/** Builds the app against the running stack, with its tables in place and without background workers. */
export async function buildTestApp(overrides: Record<string, string> = {}): Promise<App> {
  const config = testConfig(overrides);
  await setupSchema({
    contactPoints: config.INVENTORY_CASSANDRA_CONTACT_POINTS,
    localDataCenter: config.INVENTORY_CASSANDRA_LOCAL_DC,
    keyspace: config.INVENTORY_CASSANDRA_KEYSPACE,
  });
  const app = await buildApp(config);
  await app.ready();
  return app;
}

export function bearer(app: App, sub: string, roles: ('customer' | 'admin' | 'service')[]): string {
  return `Bearer ${app.jwt.sign({ sub, roles })}`;
}

/** A SKU no other test run has used. */
export function uniqueSku(tag = 'sku'): string {
  return `${tag}-${randomUUID().slice(0, 18)}`;
}
