import { randomUUID } from 'node:crypto';
import { parseConfig } from '@shop/common';
import { stackEnv } from '@shop/testing';
import { buildApp } from '../src/app.js';
import { configSchema } from '../src/config.js';
import { migrate } from '../src/db/migrate.js';

export type App = Awaited<ReturnType<typeof buildApp>>;

/** Builds the app against the running stack (or the given overrides), migrated and ready. */
export async function buildTestApp(overrides: Record<string, string> = {}): Promise<App> {
  const config = parseConfig(configSchema, stackEnv(overrides));
  await migrate(stackEnv().PAYMENT_DATABASE_URL!);
  const app = await buildApp(config);
  await app.ready();
  return app;
}

export function bearer(app: App, sub: string, roles: ('customer' | 'admin' | 'service')[]): string {
  return `Bearer ${app.jwt.sign({ sub, roles })}`;
}

/** An authorize body for a fresh order; every test run uses new order ids. */
export interface AuthorizeFields extends Record<string, unknown> {
  orderId: string;
  customerId: string;
  amountMinor: number;
}

export function authorizeBody(overrides: Record<string, unknown> = {}): AuthorizeFields {
  return {
    orderId: `order-${randomUUID()}`,
    customerId: randomUUID(),
    region: 'eu-west',
    amountMinor: 12_345,
    currency: 'EUR',
    ...overrides,
  };
}
