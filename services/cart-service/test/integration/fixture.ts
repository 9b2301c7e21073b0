import { randomUUID } from 'node:crypto';
import { stackEnv } from '@shop/testing';
import type { LightMyRequestResponse } from 'fastify';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { type App, bearer, buildTestApp } from '../helper.js';
import { type StandIns, startStandIns } from './stand-ins.js';

export interface Fixture {
  app: App;
  deps: StandIns;
  db: mysql.Pool;
  customer(): { id: string; auth: Record<string, string> };
  customerCart(
    auth: Record<string, string>,
    region?: string,
  ): Promise<{ id: string; [key: string]: unknown }>;
  guestCart(region?: string): Promise<{ id: string; cartToken: string }>;
  add(
    cartId: string,
    headers: Record<string, string>,
    payload: Record<string, unknown>,
  ): Promise<LightMyRequestResponse>;
  rows(sql: string, values: unknown[]): Promise<Record<string, unknown>[]>;
}

/**
 * One app per test file against the running MariaDB and Redis, with pricing and catalog stand-ins whose
 * products and prices are reset before each test.
 */
export function useCartApp(overrides: Record<string, string> = {}): Fixture {
  const fx = {} as Fixture;
  beforeAll(async () => {
    fx.deps = await startStandIns();
    // Generous dependency timeouts: these tests are about cart rules, not about a loaded machine's latency
    // (faults.test.ts sets its own bounds and breaker thresholds).
    fx.app = await buildTestApp({
      CART_PRICING_URL: fx.deps.url,
      CART_CATALOG_URL: fx.deps.url,
      CART_DEPENDENCY_TIMEOUT_MS: '5000',
      // Tests change products between requests; the short product cache has a test of its own.
      CART_CATALOG_CACHE_SECONDS: '0',
      ...overrides,
    });
    fx.db = mysql.createPool({ uri: stackEnv().CART_DATABASE_URL!, connectionLimit: 2, timezone: 'Z' });
  });
  afterAll(async () => {
    await fx.app?.close();
    await fx.deps?.close();
    await fx.db?.end();
  });
  beforeEach(() => {
    const { deps } = fx;
    deps.failWith = undefined;
    deps.failNext = 0;
    deps.delayMs = 0;
    deps.products.set('APPLE-1', { title: 'Apple', status: 'active' });
    deps.products.set('PEAR-1', { title: 'Pear', status: 'active' });
    deps.products.set('OLD-1', { title: 'Discontinued', status: 'archived' });
    deps.prices.set('APPLE-1', 150);
    deps.prices.set('PEAR-1', 275);
    deps.prices.set('OLD-1', 99);
  });
  fx.customer = () => {
    const id = randomUUID();
    return { id, auth: { authorization: bearer(fx.app, id, ['customer']) } };
  };
  fx.customerCart = async (auth, region = 'eu-west') => {
    const res = await fx.app.inject({ method: 'POST', url: '/carts', headers: auth, payload: { region } });
    expect([200, 201]).toContain(res.statusCode);
    return res.json();
  };
  fx.guestCart = async (region = 'eu-west') => {
    const res = await fx.app.inject({ method: 'POST', url: '/carts', payload: { region } });
    expect(res.statusCode).toBe(201);
    return res.json();
  };
  fx.add = (cartId, headers, payload) =>
    fx.app.inject({ method: 'POST', url: `/carts/${cartId}/items`, headers, payload });
  fx.rows = async (sql, values) => {
    const [result] = await fx.db.query(sql, values);
    return result as Record<string, unknown>[];
  };
  return fx;
}
