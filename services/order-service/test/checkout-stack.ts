// Helpers for tests that take checkouts through the running stack over HTTP: the stack's order-service
// (whose saga runner drives them), inventory-service and payment-service. They read what each service
// answers (and the order's rows in MariaDB) and check stock and money the way an auditor would.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseConfig } from '@shop/common';
import { stackEnv, waitFor } from '@shop/testing';
import type { RowDataPacket } from 'mysql2';
import { expect } from 'vitest';
import { configSchema } from '../src/config.js';
import type { App } from './helper.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const config = parseConfig(configSchema, stackEnv());
export const orderUrl = `http://127.0.0.1:${config.ORDER_PORT}`;
export const inventoryUrl = config.ORDER_INVENTORY_URL;
export const paymentUrl = config.ORDER_PAYMENT_URL;

export const finalStatuses = ['confirmed', 'cancelled', 'refunded'] as const;

export async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/ready`, { signal: AbortSignal.timeout(3000) })).ok;
  } catch {
    return false;
  }
}

/** Whether the stack's order-, inventory- and payment-service all answer /ready. */
export async function checkoutStackReady(): Promise<boolean> {
  const ready = await Promise.all([orderUrl, inventoryUrl, paymentUrl].map(answers));
  return ready.every(Boolean);
}

export const token = (app: App, roles: ('admin' | 'service')[]) =>
  `Bearer ${app.jwt.sign({ sub: 'order-integration-tests', roles })}`;

async function call<T>(
  app: App,
  url: string,
  init: { method?: string; body?: unknown; roles?: ('admin' | 'service')[] } = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      authorization: token(app, init.roles ?? ['service']),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** A fresh SKU with `units` in one eu-west warehouse. */
export async function stockSku(app: App, units: number, tag = 'SAGA'): Promise<string> {
  const sku = `${tag}-${randomUUID().slice(0, 8)}`.toUpperCase();
  const res = await call(app, `${inventoryUrl}/stock/adjustments`, {
    method: 'POST',
    roles: ['admin'],
    body: { sku, warehouseId: `WH-${tag}`, region: 'eu-west', delta: units, reason: 'received' },
  });
  expect(res.status).toBe(200);
  return sku;
}

export interface StockRow {
  available: number;
  reserved: number;
  sold: number;
  oversold: number;
  received: number;
}

/** The SKU's stock summed over its warehouses. */
export async function stockOf(app: App, sku: string): Promise<StockRow> {
  const res = await call<{ items: StockRow[] }>(app, `${inventoryUrl}/stock/${sku}`, { roles: ['admin'] });
  expect(res.status).toBe(200);
  const sum = { available: 0, reserved: 0, sold: 0, oversold: 0, received: 0 };
  for (const row of res.body.items)
    for (const key of Object.keys(sum) as (keyof StockRow)[]) sum[key] += row[key];
  return sum;
}

export interface Placed {
  id: string;
  totalMinor: number;
}

/** One buyer's checkout through the stack's order-service (POST /orders with a service token). */
export async function placeOrder(
  app: App,
  input: {
    sku: string;
    quantity?: number;
    unitPriceMinor?: number;
    psp?: Record<string, unknown>;
    ttlSeconds?: number;
  },
): Promise<Placed> {
  const res = await call<Placed & { status: string }>(app, `${orderUrl}/orders`, {
    method: 'POST',
    body: {
      cartId: `cart-${randomUUID()}`,
      customerId: randomUUID(),
      region: 'eu-west',
      currency: 'EUR',
      lines: [
        { sku: input.sku, quantity: input.quantity ?? 1, unitPriceMinor: input.unitPriceMinor ?? 1250 },
      ],
      sagaMode: 'fixed',
      psp: input.psp ?? { behaviour: 'approve' },
      ...(input.ttlSeconds ? { reservationTtlSeconds: input.ttlSeconds } : {}),
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id, totalMinor: res.body.totalMinor };
}

export interface OrderOutcome {
  id: string;
  status: string;
  reason: string | null;
  phase: string;
  totalMinor: number;
}

/** The orders' statuses and their sagas' phases, read from MariaDB in one query. */
export async function outcomes(app: App, ids: string[]): Promise<OrderOutcome[]> {
  const [rows] = await app.mysql.query<RowDataPacket[]>(
    `SELECT o.id, o.status, o.status_reason, o.total_minor, s.phase
       FROM orders o JOIN checkout_sagas s ON s.order_id = o.id WHERE o.id IN (?)`,
    [ids],
  );
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    reason: r.status_reason,
    phase: r.phase,
    totalMinor: Number(r.total_minor),
  }));
}

const isFinal = (o: OrderOutcome) =>
  (finalStatuses as readonly string[]).includes(o.status) &&
  (o.phase === 'completed' || o.phase === 'compensated');

/** Waits until every order is final and its saga finished; names the stragglers on timeout. */
export async function waitAllFinal(app: App, ids: string[], timeoutMs: number): Promise<OrderOutcome[]> {
  let last: OrderOutcome[] = [];
  try {
    return await waitFor(
      async () => {
        last = await outcomes(app, ids);
        return last.length === ids.length && last.every(isFinal) ? last : undefined;
      },
      timeoutMs,
      500,
    );
  } catch (err) {
    const open = last.filter((o) => !isFinal(o)).map((o) => `${o.id} ${o.status}/${o.phase}`);
    throw new Error(`${(err as Error).message}; not final: ${open.slice(0, 10).join(', ')}`);
  }
}

export interface Payment {
  id: string;
  status: string;
  amountMinor: number;
  capturedMinor: number;
  refundedMinor: number;
  createdAt: string;
  updatedAt: string;
}

export interface JournalEntry {
  kind: 'authorize' | 'capture' | 'void' | 'refund';
  createdAt: string;
  lines: { account: string; amountMinor: number }[];
}

export async function paymentsOf(app: App, orderId: string): Promise<Payment[]> {
  const res = await call<{ items: Payment[] }>(app, `${paymentUrl}/payments?orderId=${orderId}`);
  expect(res.status).toBe(200);
  return res.body.items;
}

export async function journalOf(app: App, paymentId: string): Promise<JournalEntry[]> {
  const res = await call<{ items: JournalEntry[] }>(app, `${paymentUrl}/payments/${paymentId}/journal`);
  expect(res.status).toBe(200);
  return res.body.items;
}

/** Net per ledger account over a payment's journal entries. */
export function accountNets(entries: JournalEntry[]): Record<string, number> {
  const nets: Record<string, number> = {};
  for (const e of entries) for (const l of e.lines) nets[l.account] = (nets[l.account] ?? 0) + l.amountMinor;
  for (const k of Object.keys(nets)) if (nets[k] === 0) delete nets[k];
  return nets;
}

/** The ledger's imbalance per currency across all payments (payment-service's own figure): must be all 0. */
export async function ledgerImbalance(app: App): Promise<number[]> {
  const res = await call<{ imbalance: { currency: string; imbalanceMinor: number }[] }>(
    app,
    `${paymentUrl}/admin/ledger/balances`,
    { roles: ['admin'] },
  );
  expect(res.status).toBe(200);
  return res.body.imbalance.map((i) => i.imbalanceMinor);
}

export interface MoneyCheck {
  payments: Payment[];
  journal: JournalEntry[];
}

/**
 * Checks the money of one finished order and answers what it found: a confirmed order was charged its total
 * exactly once (one captured payment, one capture entry, nothing given back); a cancelled one kept nothing
 * (no payment captured; an authorization voided, its hold and the customer's funds back to zero); every
 * journal entry balances.
 */
export async function expectMoneySettled(app: App, order: OrderOutcome): Promise<MoneyCheck> {
  const payments = (await paymentsOf(app, order.id)).filter((p) => p.status !== 'failed');
  const journal = (await Promise.all(payments.map((p) => journalOf(app, p.id)))).flat();
  const where = `order ${order.id} (${order.status}, ${order.reason ?? 'no reason'})`;
  for (const e of journal)
    expect(
      e.lines.reduce((s, l) => s + l.amountMinor, 0),
      `${where}: ${e.kind} entry balances`,
    ).toBe(0);
  const kinds = journal.map((e) => e.kind).sort();
  if (order.status === 'confirmed') {
    expect(
      payments.map((p) => p.status),
      where,
    ).toEqual(['captured']);
    expect(payments[0]?.capturedMinor, where).toBe(order.totalMinor);
    expect(kinds, where).toEqual(['authorize', 'capture']);
    expect(accountNets(journal), where).toEqual({
      psp_clearing: order.totalMinor,
      merchant_revenue: -order.totalMinor,
    });
  } else if (order.status === 'cancelled') {
    // Never charged: no payment left authorized or captured, and the ledger shows nothing kept.
    for (const p of payments) expect(p.status, where).toBe('voided');
    expect(
      kinds.filter((k) => k === 'capture'),
      where,
    ).toEqual([]);
    expect(accountNets(journal), where).toEqual({});
  } else {
    // refunded: the money taken was given back in full.
    for (const p of payments) expect(p.refundedMinor, where).toBe(p.capturedMinor);
    expect(accountNets(journal), where).toEqual({
      refunds: order.totalMinor,
      merchant_revenue: -order.totalMinor,
    });
  }
  return { payments, journal };
}

// The stack's services as processes: the native runtime records each one's pid in
// .stack/<service>/<service>.pid (scripts/stack/runtime.ts).
const pidFile = (service: string) => path.join(root, '.stack', service, `${service}.pid`);

export function stackPid(service: string): number | undefined {
  const file = pidFile(service);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A killed child of a detached daemon can linger as a zombie until reaped; that is not alive.
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z');
  } catch {
    return true;
  }
}

/** Kills the stack's service at once (no shutdown hooks, no lease hand-back), as a crash would. */
export async function sigkillStackService(service: string): Promise<number> {
  const pid = stackPid(service);
  if (!isAlive(pid)) throw new Error(`${service} is not running under the stack`);
  process.kill(pid as number, 'SIGKILL');
  await waitFor(() => !isAlive(pid), 10_000, 50);
  return pid as number;
}

const run = promisify(execFile);

/** `pnpm stack up <service>`: starts it (when not running) and waits until it answers /ready. */
export async function startStackService(service: string): Promise<void> {
  await run('pnpm', ['stack', 'up', service], { cwd: root, timeout: 120_000 });
}

/** Starts any of these stack services that is not running: what a test that kills one leaves behind. */
export async function restoreStackServices(services: string[]): Promise<void> {
  for (const service of services) if (!isAlive(stackPid(service))) await startStackService(service);
}
