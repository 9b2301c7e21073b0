import { randomUUID } from 'node:crypto';
import { createCouch, parseConfig } from '@shop/common';
import { stackEnv } from '@shop/testing';
import { buildApp } from '../src/app.js';
import { configSchema } from '../src/config.js';
import { setupCatalog } from '../src/db/setup.js';

export type App = Awaited<ReturnType<typeof buildApp>>;

/**
 * A database of its own for one test file, created and prepared like the stack's `catalog`, so listings
 * see only what the file wrote. `drop()` removes it.
 */
export async function scratchDatabase(): Promise<{ name: string; drop: () => Promise<void> }> {
  const env = stackEnv();
  const name = `catalog_test_${randomUUID().slice(0, 8)}`;
  const couch = createCouch(env.CATALOG_COUCHDB_URL!);
  await couch.db.create(name);
  await setupCatalog(env.CATALOG_COUCHDB_URL!, name);
  return {
    name,
    drop: async () => {
      await couch.db.destroy(name).catch(() => undefined);
    },
  };
}

/** Builds the app against the running stack (or the given overrides), ready. */
export async function buildTestApp(overrides: Record<string, string> = {}): Promise<App> {
  const config = parseConfig(configSchema, stackEnv({ CATALOG_PRODUCT_EVENTS: '0', ...overrides }));
  const app = await buildApp(config);
  await app.ready();
  return app;
}

export function bearer(app: App, sub: string, roles: ('customer' | 'admin' | 'service')[]): string {
  return `Bearer ${app.jwt.sign({ sub, roles })}`;
}

/** A SKU no other test run has used. */
export function uniqueSku(tag = 'T'): string {
  return `${tag}-${randomUUID().slice(0, 13)}`.toUpperCase();
}

export function productBody(overrides: Record<string, unknown> = {}) {
  return {
    sku: uniqueSku(),
    title: 'Trail Runner',
    description: 'A light shoe for rough ground',
    category: 'running-shoes',
    attributes: { colour: 'blue', sizeEu: 42, waterproof: false },
    region: 'eu-west',
    availableRegions: ['eu-west', 'us-east'],
    status: 'active',
    ...overrides,
  };
}
