import { randomUUID } from 'node:crypto';
import { parseConfig } from '@shop/common';
import { stackEnv } from '@shop/testing';
import { buildApp } from '../src/app.js';
import { configSchema } from '../src/config.js';
import { migrate } from '../src/db/migrate.js';

export type App = Awaited<ReturnType<typeof buildApp>>;

/** Builds the app against the running stack (or the given overrides), migrated and ready. */
export async function buildTestApp(overrides: Record<string, string> = {}): Promise<App> {
  const config = parseConfig(configSchema, stackEnv({ CUSTOMER_DEV_TOKENS: '1', ...overrides }));
  await migrate(stackEnv().CUSTOMER_DATABASE_URL!);
  const app = await buildApp(config);
  await app.ready();
  return app;
}

export function bearer(app: App, sub: string, roles: ('customer' | 'admin' | 'service')[]): string {
  return `Bearer ${app.jwt.sign({ sub, roles })}`;
}

/** An email no other test run has used. */
export function uniqueEmail(tag = 'user'): string {
  return `${tag}-${randomUUID()}@test.example`;
}
