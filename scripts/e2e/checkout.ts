// `pnpm e2e:checkout`: one purchase through the running stack, checked end to end. Seeds a fresh product with
// a price and stock, registers a customer, adds the product to a cart and checks out; then waits until
// order-service has made the order from `cart.checkedout.v1` and its saga has confirmed it. Verifies every
// HTTP answer, every event of the flow on its topic (decoded through the schema registry) and the final rows
// in MariaDB, PostgreSQL and Cassandra. Exit 0 when all hold, 1 naming the first check that failed, 2 when
// a service or Kafka is not ready. The whole run is bounded (3 minutes).
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Topic } from '@shop/contracts';
import { stackEnv } from '@shop/testing';
import { call, type JsonAnswer, notReady, signToken } from '../scenario/lib/http.js';
import { EventWatch } from './lib/event-watch.js';
import {
  type Check,
  CheckFailed,
  formatMs,
  type Outcome,
  pollUntil,
  printOutcome,
  runChecks,
} from './lib/runner.js';
import { mysqlRows, pgRows, withCassandra } from './lib/stores.js';

const RUN_BOUND_MS = 180_000;
const EVENT_WAIT_MS = 60_000;
const ORDER_WAIT_MS = 60_000;
const REGION = 'eu-west';
const CURRENCY = 'EUR';
const WAREHOUSE = `WH-${REGION}`;
const CATEGORY = 'e2e-checkout';
const STOCK = 5;
const QUANTITY = 2;
const PRICE_MINOR = 1999;
const SUBTOTAL_MINOR = QUANTITY * PRICE_MINOR;

const flowTopics: readonly Topic[] = [
  'customer.registered.v1',
  'catalog.product.upserted.v1',
  'inventory.stock.adjusted.v1',
  'cart.item.added.v1',
  'cart.checkedout.v1',
  'order.created.v1',
  'order.status.changed.v1',
  'inventory.reserved.v1',
  'inventory.committed.v1',
  'payment.authorized.v1',
  'payment.captured.v1',
];

type Env = NodeJS.ProcessEnv;
type ServiceName = 'customer' | 'catalog' | 'pricing' | 'cart' | 'order' | 'payment' | 'inventory';

interface OrderView {
  id: string;
  customerId: string;
  cartId: string;
  checkoutId: string;
  status: string;
  statusReason: string | null;
  totalMinor: number;
  lines: { sku: string; quantity: number; unitPriceMinor: number }[];
}

interface SagaView {
  phase: string;
  currentStep: string | null;
  state: {
    reason?: string | null;
    steps?: Record<string, { status: string; error: string | null }>;
    reservations?: { id: string; sku: string; quantity: number }[];
    paymentId?: string | null;
  };
}

/** What one run creates and learns, filled in check by check. */
interface Run {
  env: Env;
  url: Record<ServiceName, string>;
  runId: string;
  sku: string;
  adminToken: string;
  serviceToken: string;
  watch?: EventWatch;
  customerId?: string;
  customerToken?: string;
  cartId?: string;
  checkoutId?: string;
  order?: OrderView;
  reservationIds?: string[];
  paymentId?: string;
}

function serviceUrls(env: Env): Record<ServiceName, string> {
  const host = env.STACK_HOST || '127.0.0.1';
  const port = (name: string, fallback: string) => env[name] || fallback;
  return {
    customer: `http://${host}:${port('CUSTOMER_PORT', '3001')}`,
    catalog: `http://${host}:${port('CATALOG_PORT', '3002')}`,
    pricing: `http://${host}:${port('PRICING_PORT', '3003')}`,
    cart: `http://${host}:${port('CART_PORT', '3004')}`,
    order: `http://${host}:${port('ORDER_PORT', '3005')}`,
    payment: `http://${host}:${port('PAYMENT_PORT', '3006')}`,
    inventory: `http://${host}:${port('INVENTORY_PORT', '3007')}`,
  };
}

/** The status and the problem's code and detail, or why nothing answered. */
function describeAnswer(res: JsonAnswer): string {
  const body = (res.body ?? {}) as { code?: string; detail?: string; title?: string; error?: string };
  if (res.status === 0) return `nothing (${body.error ?? 'no answer'})`;
  const code = body.code ? ` ${body.code}` : '';
  const detail = body.detail ?? body.title;
  return `${res.status}${code}${detail ? `: ${detail}` : ''}`;
}

function expectStatus<T>(what: string, res: JsonAnswer<T>, ...statuses: number[]): T {
  if (statuses.includes(res.status)) return res.body;
  throw new CheckFailed(`${what} answered ${describeAnswer(res)} (expected ${statuses.join(' or ')})`);
}

function expectEqual(what: string, actual: unknown, expected: unknown): void {
  if (actual !== expected)
    throw new CheckFailed(`${what} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

/** How long after `occurred_at` an event reached the watch (the events of one machine share its clock). */
function lag(ms: number): string {
  return `+${formatMs(Math.max(0, ms))} to the topic`;
}

function eventWait(budget: { within(ms: number): number }): number {
  return budget.within(EVENT_WAIT_MS);
}

/** Answers the names of what is not ready: the services (their /ready), Kafka and the schema registry. */
async function preflight(env: Env, url: Record<ServiceName, string>): Promise<string[]> {
  const services = Object.fromEntries(Object.entries(url).map(([name, u]) => [`${name}-service`, u]));
  const [missing, registry, kafka] = await Promise.all([
    notReady(services),
    call(`${(env.SCHEMA_REGISTRY_URL ?? '').replace(/\/+$/, '')}/subjects`, { timeoutMs: 3000 }),
    reachable(env.STACK_HOST || '127.0.0.1', Number(env.KAFKA_PORT || '19092')),
  ]);
  const problems = [...(missing ?? [])];
  if (registry.status !== 200)
    problems.push(`schema-registry (${env.SCHEMA_REGISTRY_URL}: ${registry.status || 'unreachable'})`);
  if (!kafka) problems.push(`kafka (${env.STACK_HOST || '127.0.0.1'}:${env.KAFKA_PORT}: unreachable)`);
  return problems;
}

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 3000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

const checks: Check<Run>[] = [
  {
    name: 'event consumer joined the flow topics',
    async run(ctx, budget) {
      ctx.watch = await EventWatch.start({
        brokers: [`${ctx.env.STACK_HOST || '127.0.0.1'}:${ctx.env.KAFKA_PORT || '19092'}`],
        registryUrl: ctx.env.SCHEMA_REGISTRY_URL ?? '',
        groupId: `e2e-checkout-${ctx.runId}`,
        topics: flowTopics,
        joinTimeoutMs: budget.within(30_000),
      });
      return `${flowTopics.length} topics, group e2e-checkout-${ctx.runId}`;
    },
  },
  {
    name: 'customer registered (customer-service)',
    async run(ctx) {
      const email = `e2e-checkout-${ctx.runId.toLowerCase()}@example.test`;
      const res = await call<{ id: string; email: string; region: string }>(`${ctx.url.customer}/customers`, {
        method: 'POST',
        headers: { 'idempotency-key': `e2e-checkout-${ctx.runId}-customer` },
        body: { email, name: 'E2E Checkout', region: REGION },
      });
      const customer = expectStatus('POST /customers', res, 201);
      expectEqual('the customer email', customer.email, email);
      ctx.customerId = customer.id;
      return customer.id;
    },
  },
  {
    name: 'customer.registered.v1 on its topic',
    async run(ctx, budget) {
      const id = ctx.customerId!;
      const { event, lagMs } = await ctx.watch!.waitFor(
        'customer.registered.v1',
        `for customer ${id}`,
        (e) => e.customer_id === id,
        eventWait(budget),
      );
      expectEqual('customer.registered.v1 region', event.region, REGION);
      return `event ${event.event_id}; ${lag(lagMs)}`;
    },
  },
  {
    name: 'customer token issued (customer-service)',
    async run(ctx) {
      const res = await call<{ token: string; subject: string; roles: string[] }>(
        `${ctx.url.customer}/auth/dev-token`,
        { method: 'POST', body: { customerId: ctx.customerId } },
      );
      const issued = expectStatus('POST /auth/dev-token', res, 200);
      expectEqual('the token subject', issued.subject, ctx.customerId);
      ctx.customerToken = issued.token;
      return `roles ${issued.roles.join(',')}`;
    },
  },
  {
    name: 'product created (catalog-service)',
    async run(ctx) {
      const res = await call<{ sku: string; status: string; revision: string }>(
        `${ctx.url.catalog}/products`,
        {
          method: 'POST',
          token: ctx.adminToken,
          headers: { 'idempotency-key': `e2e-checkout-${ctx.runId}-product` },
          body: {
            sku: ctx.sku,
            title: `E2E checkout ${ctx.runId}`,
            description: 'Created by the end-to-end checkout check.',
            category: CATEGORY,
            region: REGION,
            availableRegions: [REGION],
            status: 'active',
          },
        },
      );
      const product = expectStatus('POST /products', res, 201);
      expectEqual('the product status', product.status, 'active');
      return `${product.sku} rev ${product.revision}`;
    },
  },
  {
    name: 'catalog.product.upserted.v1 on its topic',
    async run(ctx, budget) {
      const { event, lagMs } = await ctx.watch!.waitFor(
        'catalog.product.upserted.v1',
        `for ${ctx.sku} (active)`,
        (e) => e.aggregate_id === ctx.sku && e.status === 'active',
        eventWait(budget),
      );
      expectEqual('catalog.product.upserted.v1 available_regions', event.available_regions.join(','), REGION);
      return `rev ${event.revision}; ${lag(lagMs)}`;
    },
  },
  {
    name: 'base price set (pricing-service)',
    async run(ctx) {
      const bookId = await priceBookId(ctx);
      const res = await call<{ amountMinor: number }>(
        `${ctx.url.pricing}/price-books/${bookId}/prices/${encodeURIComponent(ctx.sku)}`,
        { method: 'PUT', token: ctx.adminToken, body: { amountMinor: PRICE_MINOR, category: CATEGORY } },
      );
      const price = expectStatus(`PUT /price-books/${bookId}/prices/${ctx.sku}`, res, 201, 200);
      expectEqual('the base price', price.amountMinor, PRICE_MINOR);
      return `${PRICE_MINOR} ${CURRENCY} minor in book ${bookId}`;
    },
  },
  {
    name: 'stock received (inventory-service)',
    async run(ctx) {
      const res = await call<{ available: number; warehouseId: string }>(
        `${ctx.url.inventory}/stock/adjustments`,
        {
          method: 'POST',
          token: ctx.adminToken,
          headers: { 'idempotency-key': `e2e-checkout-${ctx.runId}-stock` },
          body: { sku: ctx.sku, warehouseId: WAREHOUSE, region: REGION, delta: STOCK, reason: 'received' },
        },
      );
      const row = expectStatus('POST /stock/adjustments', res, 200);
      expectEqual('available units after receiving', row.available, STOCK);
      return `${STOCK} units in ${row.warehouseId}`;
    },
  },
  {
    name: 'inventory.stock.adjusted.v1 on its topic',
    async run(ctx, budget) {
      const { event, lagMs } = await ctx.watch!.waitFor(
        'inventory.stock.adjusted.v1',
        `for ${ctx.sku}`,
        (e) => e.sku === ctx.sku,
        eventWait(budget),
      );
      expectEqual('inventory.stock.adjusted.v1 delta', event.delta, STOCK);
      expectEqual('inventory.stock.adjusted.v1 available', event.available, STOCK);
      return `on_hand ${event.on_hand}; ${lag(lagMs)}`;
    },
  },
  {
    name: 'cart opened (cart-service)',
    async run(ctx) {
      const res = await call<{ id: string; customerId: string; currency: string; lines: unknown[] }>(
        `${ctx.url.cart}/carts`,
        { method: 'POST', token: ctx.customerToken!, body: { region: REGION } },
      );
      const cart = expectStatus('POST /carts', res, 201);
      expectEqual('the cart customer', cart.customerId, ctx.customerId);
      expectEqual('the cart currency', cart.currency, CURRENCY);
      ctx.cartId = cart.id;
      return cart.id;
    },
  },
  {
    name: 'line added to the cart (cart-service)',
    async run(ctx) {
      const res = await call<{
        lines: { sku: string; quantity: number; unitPriceMinor: number }[];
        subtotalMinor: number;
      }>(`${ctx.url.cart}/carts/${ctx.cartId}/items`, {
        method: 'POST',
        token: ctx.customerToken!,
        headers: { 'idempotency-key': `e2e-checkout-${ctx.runId}-line` },
        body: { sku: ctx.sku, quantity: QUANTITY },
      });
      const cart = expectStatus(`POST /carts/${ctx.cartId}/items`, res, 201);
      const line = cart.lines.find((l) => l.sku === ctx.sku);
      if (!line) throw new CheckFailed(`the cart has no line for ${ctx.sku} after adding it`);
      expectEqual('the line quantity', line.quantity, QUANTITY);
      expectEqual('the line unit price', line.unitPriceMinor, PRICE_MINOR);
      expectEqual('the cart subtotal', cart.subtotalMinor, SUBTOTAL_MINOR);
      return `${QUANTITY} × ${PRICE_MINOR}`;
    },
  },
  {
    name: 'cart.item.added.v1 on its topic',
    async run(ctx, budget) {
      const { event, lagMs } = await ctx.watch!.waitFor(
        'cart.item.added.v1',
        `for cart ${ctx.cartId} and ${ctx.sku}`,
        (e) => e.cart_id === ctx.cartId && e.sku === ctx.sku,
        eventWait(budget),
      );
      expectEqual('cart.item.added.v1 quantity_added', event.quantity_added, QUANTITY);
      expectEqual('cart.item.added.v1 unit_price_minor', event.unit_price_minor, PRICE_MINOR);
      expectEqual('cart.item.added.v1 customer_id', event.customer_id, ctx.customerId);
      return `quote ${event.quote_id}; ${lag(lagMs)}`;
    },
  },
  {
    name: 'cart checked out (cart-service)',
    async run(ctx) {
      const res = await call<{ checkoutId: string; subtotalMinor: number; itemCount: number }>(
        `${ctx.url.cart}/carts/${ctx.cartId}/checkout`,
        { method: 'POST', token: ctx.customerToken! },
      );
      const checkout = expectStatus(`POST /carts/${ctx.cartId}/checkout`, res, 200);
      expectEqual('the checkout subtotal', checkout.subtotalMinor, SUBTOTAL_MINOR);
      expectEqual('the checkout item count', checkout.itemCount, QUANTITY);
      ctx.checkoutId = checkout.checkoutId;
      return `checkout ${checkout.checkoutId}`;
    },
  },
  {
    name: 'cart.checkedout.v1 on its topic',
    async run(ctx, budget) {
      const { event, lagMs } = await ctx.watch!.waitFor(
        'cart.checkedout.v1',
        `for cart ${ctx.cartId}`,
        (e) => e.cart_id === ctx.cartId,
        eventWait(budget),
      );
      expectEqual('cart.checkedout.v1 checkout_id', event.checkout_id, ctx.checkoutId);
      expectEqual('cart.checkedout.v1 subtotal_minor', event.subtotal_minor, SUBTOTAL_MINOR);
      expectEqual('cart.checkedout.v1 lines', event.lines.length, 1);
      return `event ${event.event_id}; ${lag(lagMs)}`;
    },
  },
  {
    name: 'order created from the checkout (order-service)',
    async run(ctx, budget) {
      let last = 'no answer yet';
      const order = await pollUntil(
        async () => {
          const res = await call<{ items: OrderView[] }>(`${ctx.url.order}/orders?limit=20`, {
            token: ctx.customerToken!,
          });
          if (res.status !== 200) {
            last = `GET /orders answered ${describeAnswer(res)}`;
            return undefined;
          }
          last = `GET /orders lists ${res.body.items.length} order(s) of the customer, none for the cart`;
          return res.body.items.find((o) => o.cartId === ctx.cartId);
        },
        {
          timeoutMs: budget.within(ORDER_WAIT_MS),
          intervalMs: 250,
          describe: () =>
            `no order for cart ${ctx.cartId} within ${ORDER_WAIT_MS / 1000} s (${last}); ` +
            'is order-service consuming cart.checkedout.v1 (ORDER_CONSUMERS=1)?',
        },
      );
      expectEqual('the order checkout id', order.checkoutId, ctx.checkoutId);
      expectEqual('the order total', order.totalMinor, SUBTOTAL_MINOR);
      ctx.order = order;
      return `order ${order.id} (${order.status})`;
    },
  },
  {
    name: 'order.created.v1 on its topic',
    async run(ctx, budget) {
      const order = ctx.order!;
      const { event, lagMs } = await ctx.watch!.waitFor(
        'order.created.v1',
        `for order ${order.id}`,
        (e) => e.order_id === order.id,
        eventWait(budget),
      );
      expectEqual('order.created.v1 checkout_id', event.checkout_id, ctx.checkoutId);
      expectEqual('order.created.v1 total_minor', event.total_minor, SUBTOTAL_MINOR);
      return `event ${event.event_id}; ${lag(lagMs)}`;
    },
  },
  {
    name: 'order confirmed by its saga (order-service)',
    async run(ctx, budget) {
      const id = ctx.order!.id;
      let last = ctx.order!;
      let settled: OrderView;
      try {
        settled = await pollUntil(
          async () => {
            const res = await call<OrderView>(`${ctx.url.order}/orders/${id}`, { token: ctx.customerToken! });
            if (res.status !== 200) return undefined;
            last = res.body;
            return ['confirmed', 'cancelled', 'refunded'].includes(last.status) ? last : undefined;
          },
          {
            timeoutMs: budget.within(ORDER_WAIT_MS),
            intervalMs: 250,
            describe: () => `order ${id} still ${last.status} after ${ORDER_WAIT_MS / 1000} s`,
          },
        );
      } catch (err) {
        throw new CheckFailed(`${(err as Error).message}; ${await sagaSummary(ctx, id)}`);
      }
      if (settled.status !== 'confirmed')
        throw new CheckFailed(
          `order ${id} ended ${settled.status} (${settled.statusReason ?? 'no reason'}); ${await sagaSummary(ctx, id)}`,
        );
      const order = settled;
      ctx.order = order;
      return 'confirmed';
    },
  },
  {
    name: 'checkout saga completed (order-service)',
    async run(ctx) {
      const id = ctx.order!.id;
      const res = await call<SagaView>(`${ctx.url.order}/orders/${id}/saga`, { token: ctx.serviceToken });
      const saga = expectStatus(`GET /orders/${id}/saga`, res, 200);
      expectEqual('the saga phase', saga.phase, 'completed');
      const steps = saga.state.steps ?? {};
      const undone = Object.entries(steps).filter(([, s]) => s.status !== 'done');
      if (undone.length)
        throw new CheckFailed(
          `saga steps not done: ${undone.map(([n, s]) => `${n}=${s.status}`).join(', ')}`,
        );
      ctx.reservationIds = (saga.state.reservations ?? []).map((r) => r.id);
      if (ctx.reservationIds.length !== 1)
        throw new CheckFailed(`the saga holds ${ctx.reservationIds.length} reservations, expected 1`);
      if (!saga.state.paymentId) throw new CheckFailed('the saga recorded no payment id');
      ctx.paymentId = saga.state.paymentId;
      return `${Object.keys(steps).join(' → ')}`;
    },
  },
  {
    name: 'inventory.reserved.v1 on its topic',
    async run(ctx, budget) {
      const orderId = ctx.order!.id;
      const { event, lagMs } = await ctx.watch!.waitFor(
        'inventory.reserved.v1',
        `for order ${orderId}`,
        (e) => e.order_id === orderId,
        eventWait(budget),
      );
      expectEqual('inventory.reserved.v1 reservation_id', event.reservation_id, ctx.reservationIds![0]);
      expectEqual('inventory.reserved.v1 sku', event.sku, ctx.sku);
      expectEqual('inventory.reserved.v1 quantity', event.quantity, QUANTITY);
      return `reservation ${event.reservation_id}; ${lag(lagMs)}`;
    },
  },
  {
    name: 'payment.authorized.v1 on its topic',
    async run(ctx, budget) {
      const orderId = ctx.order!.id;
      const { event, lagMs } = await ctx.watch!.waitFor(
        'payment.authorized.v1',
        `for order ${orderId}`,
        (e) => e.order_id === orderId,
        eventWait(budget),
      );
      expectEqual('payment.authorized.v1 payment_id', event.payment_id, ctx.paymentId);
      expectEqual('payment.authorized.v1 amount_minor', event.amount_minor, SUBTOTAL_MINOR);
      expectEqual('payment.authorized.v1 currency', event.currency, CURRENCY);
      return `payment ${event.payment_id}; ${lag(lagMs)}`;
    },
  },
  {
    name: 'inventory.committed.v1 on its topic',
    async run(ctx, budget) {
      const orderId = ctx.order!.id;
      const { event, lagMs } = await ctx.watch!.waitFor(
        'inventory.committed.v1',
        `for order ${orderId}`,
        (e) => e.order_id === orderId,
        eventWait(budget),
      );
      expectEqual('inventory.committed.v1 reservation_id', event.reservation_id, ctx.reservationIds![0]);
      expectEqual('inventory.committed.v1 after_expiry', event.after_expiry, false);
      return `${event.quantity} units from ${event.warehouse_id}; ${lag(lagMs)}`;
    },
  },
  {
    name: 'payment.captured.v1 on its topic',
    async run(ctx, budget) {
      const orderId = ctx.order!.id;
      const { event, lagMs } = await ctx.watch!.waitFor(
        'payment.captured.v1',
        `for order ${orderId}`,
        (e) => e.order_id === orderId,
        eventWait(budget),
      );
      expectEqual('payment.captured.v1 payment_id', event.payment_id, ctx.paymentId);
      expectEqual('payment.captured.v1 amount_minor', event.amount_minor, SUBTOTAL_MINOR);
      return `${event.amount_minor} ${event.currency} minor; ${lag(lagMs)}`;
    },
  },
  {
    name: 'order.status.changed.v1 on its topic',
    async run(ctx, budget) {
      const orderId = ctx.order!.id;
      const { lagMs } = await ctx.watch!.waitFor(
        'order.status.changed.v1',
        `to confirmed for order ${orderId}`,
        (e) => e.order_id === orderId && e.to_status === 'confirmed',
        eventWait(budget),
      );
      const moves = ctx
        .watch!.all('order.status.changed.v1', (e) => e.order_id === orderId)
        .sort((a, b) => a.occurred_at - b.occurred_at)
        .map((e) => `${e.from_status}→${e.to_status}`);
      const expected = [
        'pending→inventory_reserved',
        'inventory_reserved→payment_authorized',
        'payment_authorized→confirmed',
      ];
      expectEqual('the status changes', moves.join(', '), expected.join(', '));
      return `pending → inventory_reserved → payment_authorized → confirmed; ${lag(lagMs)}`;
    },
  },
  {
    name: 'MariaDB cart: cart checked out',
    async run(ctx) {
      const url = ctx.env.CART_DATABASE_URL ?? '';
      const carts = await mysqlRows(url, 'SELECT status, customer_id, region FROM carts WHERE id = ?', [
        ctx.cartId,
      ]);
      if (!carts[0]) throw new CheckFailed(`no carts row ${ctx.cartId}`);
      expectEqual('carts.status', carts[0].status, 'checked_out');
      expectEqual('carts.customer_id', carts[0].customer_id, ctx.customerId);
      const checkouts = await mysqlRows(url, 'SELECT id, subtotal_minor FROM checkouts WHERE cart_id = ?', [
        ctx.cartId,
      ]);
      if (!checkouts[0]) throw new CheckFailed(`no checkouts row for cart ${ctx.cartId}`);
      expectEqual('checkouts.id', checkouts[0].id, ctx.checkoutId);
      expectEqual('checkouts.subtotal_minor', Number(checkouts[0].subtotal_minor), SUBTOTAL_MINOR);
      const lines = await mysqlRows(
        url,
        'SELECT sku, quantity, unit_price_minor FROM cart_lines WHERE cart_id = ?',
        [ctx.cartId],
      );
      expectEqual('cart_lines rows', lines.length, 1);
      expectEqual('cart_lines.quantity', Number(lines[0]!.quantity), QUANTITY);
      return 'carts, checkouts, cart_lines';
    },
  },
  {
    name: 'MariaDB order: order, items and saga',
    async run(ctx) {
      const url = ctx.env.ORDER_DATABASE_URL ?? '';
      const id = ctx.order!.id;
      const orders = await mysqlRows(
        url,
        'SELECT status, cart_id, checkout_id, customer_id, total_minor FROM orders WHERE id = ?',
        [id],
      );
      if (!orders[0]) throw new CheckFailed(`no orders row ${id}`);
      expectEqual('orders.status', orders[0].status, 'confirmed');
      expectEqual('orders.cart_id', orders[0].cart_id, ctx.cartId);
      expectEqual('orders.checkout_id', orders[0].checkout_id, ctx.checkoutId);
      expectEqual('orders.total_minor', Number(orders[0].total_minor), SUBTOTAL_MINOR);
      const items = await mysqlRows(
        url,
        'SELECT sku, quantity, unit_price_minor, line_total_minor FROM order_items WHERE order_id = ?',
        [id],
      );
      expectEqual('order_items rows', items.length, 1);
      expectEqual('order_items.sku', items[0]!.sku, ctx.sku);
      expectEqual('order_items.quantity', Number(items[0]!.quantity), QUANTITY);
      expectEqual('order_items.line_total_minor', Number(items[0]!.line_total_minor), SUBTOTAL_MINOR);
      const sagas = await mysqlRows(url, 'SELECT phase, lease_owner FROM checkout_sagas WHERE order_id = ?', [
        id,
      ]);
      if (!sagas[0]) throw new CheckFailed(`no checkout_sagas row for order ${id}`);
      expectEqual('checkout_sagas.phase', sagas[0].phase, 'completed');
      return 'orders confirmed, 1 item, saga completed';
    },
  },
  {
    name: 'PostgreSQL payment: captured, ledger balanced',
    async run(ctx) {
      const url = ctx.env.PAYMENT_DATABASE_URL ?? '';
      const id = ctx.order!.id;
      const payments = await pgRows(
        url,
        'SELECT id, status, amount_minor, captured_minor, refunded_minor FROM payments WHERE order_id = $1',
        [id],
      );
      if (payments.length !== 1)
        throw new CheckFailed(`${payments.length} payments rows for order ${id}, expected 1`);
      const payment = payments[0]!;
      expectEqual('payments.id', payment.id, ctx.paymentId);
      expectEqual('payments.status', payment.status, 'captured');
      expectEqual('payments.captured_minor', Number(payment.captured_minor), SUBTOTAL_MINOR);
      expectEqual('payments.refunded_minor', Number(payment.refunded_minor), 0);
      const entries = await pgRows(
        url,
        `SELECT e.kind, sum(l.amount_minor)::bigint AS net,
                sum(l.amount_minor) FILTER (WHERE a.code = 'merchant_revenue')::bigint AS revenue
           FROM journal_entries e
           JOIN journal_lines l ON l.entry_id = e.id
           JOIN accounts a ON a.id = l.account_id
          WHERE e.payment_id = $1
          GROUP BY e.id, e.kind, e.created_at
          ORDER BY e.created_at`,
        [ctx.paymentId],
      );
      expectEqual('journal entries', entries.map((e) => e.kind).join(','), 'authorize,capture');
      const unbalanced = entries.filter((e) => Number(e.net) !== 0);
      if (unbalanced.length)
        throw new CheckFailed(
          `unbalanced entries: ${unbalanced.map((e) => `${e.kind} nets ${e.net}`).join(', ')}`,
        );
      const revenue = entries.reduce((sum, e) => sum + Number(e.revenue ?? 0), 0);
      expectEqual('merchant_revenue', revenue, -SUBTOTAL_MINOR);
      return 'authorize + capture, each netting 0';
    },
  },
  {
    name: 'Cassandra inventory: committed and sold',
    async run(ctx) {
      const reservationId = ctx.reservationIds![0]!;
      return withCassandra(
        {
          contactPoints: ctx.env.INVENTORY_CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:19042',
          localDataCenter: ctx.env.INVENTORY_CASSANDRA_LOCAL_DC ?? 'datacenter1',
          keyspace: ctx.env.INVENTORY_CASSANDRA_KEYSPACE ?? 'inventory',
        },
        async (client) => {
          const reservation = (
            await client.execute(
              'SELECT status, order_id, sku, quantity FROM reservations WHERE id = ?',
              [reservationId],
              { prepare: true },
            )
          ).first();
          if (!reservation) throw new CheckFailed(`no reservations row ${reservationId}`);
          expectEqual('reservations.status', reservation.get('status'), 'committed');
          expectEqual('reservations.order_id', reservation.get('order_id'), ctx.order!.id);
          const stock = (
            await client.execute(
              'SELECT available, reserved, sold, oversold, received FROM stock WHERE sku = ? AND warehouse_id = ?',
              [ctx.sku, WAREHOUSE],
              { prepare: true },
            )
          ).first();
          if (!stock) throw new CheckFailed(`no stock row for ${ctx.sku} in ${WAREHOUSE}`);
          expectEqual('stock.sold', stock.get('sold'), QUANTITY);
          expectEqual('stock.reserved', stock.get('reserved'), 0);
          expectEqual('stock.available', stock.get('available'), STOCK - QUANTITY);
          expectEqual('stock.oversold', stock.get('oversold'), 0);
          return `sold ${QUANTITY}, available ${STOCK - QUANTITY} of ${STOCK}`;
        },
      );
    },
  },
];

/** The region's price book in the currency: the one there is, or a new one (the region's default then). */
async function priceBookId(ctx: Run): Promise<string> {
  const find = async () => {
    const res = await call<{ items: { id: string }[] }>(
      `${ctx.url.pricing}/price-books?region=${REGION}&currency=${CURRENCY}`,
      { token: ctx.adminToken },
    );
    return expectStatus('GET /price-books', res, 200).items[0]?.id;
  };
  const existing = await find();
  if (existing) return existing;
  const res = await call<{ id: string }>(`${ctx.url.pricing}/price-books`, {
    method: 'POST',
    token: ctx.adminToken,
    body: { name: `${REGION} ${CURRENCY}`, region: REGION, currency: CURRENCY },
  });
  // Another run may have made it meanwhile: then it exists and the list has it.
  if (res.status === 409) {
    const made = await find();
    if (made) return made;
  }
  return expectStatus('POST /price-books', res, 201).id;
}

/** The saga's phase, step and reason, to say why an order did not get confirmed. */
async function sagaSummary(ctx: Run, orderId: string): Promise<string> {
  const res = await call<SagaView>(`${ctx.url.order}/orders/${orderId}/saga`, { token: ctx.serviceToken });
  if (res.status !== 200) return `saga unreadable: ${describeAnswer(res)}`;
  const { phase, currentStep, state } = res.body;
  const troubled = Object.entries(state.steps ?? {})
    .filter(([, step]) => step.status === 'failed' || step.error)
    .map(([name, step]) => `${name} ${step.status}: ${step.error ?? 'no error recorded'}`);
  const reason = state.reason ? ` (reason ${state.reason})` : '';
  const steps = troubled.length ? `; ${troubled.join('; ')}` : '';
  return `saga ${phase} at step ${currentStep ?? 'none'}${reason}${steps}`;
}

function summarize(outcomes: Outcome[], startedAt: number): string {
  const count = (s: Outcome['status']) => outcomes.filter((o) => o.status === s).length;
  const total = formatMs(performance.now() - startedAt);
  const failed = outcomes.find((o) => o.status === 'failed');
  if (!failed) return `e2e checkout: all ${outcomes.length} checks passed in ${total}`;
  return (
    `e2e checkout FAILED at "${failed.name}": ${failed.detail}\n` +
    `  ${count('passed')} passed, 1 failed, ${count('skipped')} skipped in ${total}`
  );
}

async function main(): Promise<number> {
  const startedAt = performance.now();
  const deadline = startedAt + RUN_BOUND_MS;
  const env = stackEnv();
  const url = serviceUrls(env);
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`.toUpperCase();
  const sku = `E2E-${runId}`;
  console.log(
    `e2e checkout: run ${runId}, SKU ${sku}, ${QUANTITY} × ${PRICE_MINOR} ${CURRENCY} minor in ${REGION} ` +
      `(bound ${RUN_BOUND_MS / 1000} s)`,
  );

  const readyStarted = performance.now();
  const problems = await preflight(env, url);
  const ready: Outcome = {
    name: 'services, Kafka and registry ready',
    status: problems.length ? 'failed' : 'passed',
    ms: performance.now() - readyStarted,
    detail: problems.length ? `not ready: ${problems.join(', ')}` : `${Object.keys(url).length} services`,
  };
  printOutcome(ready);
  if (problems.length) {
    console.error(
      `\ne2e checkout cannot run: not ready: ${problems.join(', ')}\n` +
        '  check `pnpm stack status`; start what is missing with `pnpm stack up <component>`',
    );
    return 2;
  }

  const ctx: Run = {
    env,
    url,
    runId,
    sku,
    adminToken: signToken(env, 'e2e-checkout', ['admin']),
    serviceToken: signToken(env, 'e2e-checkout', ['service']),
  };
  let outcomes: Outcome[];
  try {
    outcomes = [ready, ...(await runChecks(checks, ctx, deadline))];
  } finally {
    await Promise.race([ctx.watch?.stop(), new Promise((r) => setTimeout(r, 5000))]).catch(() => undefined);
  }
  const undecodable = ctx.watch?.undecodableCounts() ?? {};
  if (Object.keys(undecodable).length)
    console.log(`\nnote: messages that could not be decoded: ${JSON.stringify(undecodable)}`);
  console.log(`\n${summarize(outcomes, startedAt)}`);
  return outcomes.some((o) => o.status === 'failed') ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error('e2e checkout crashed:', err);
    process.exit(1);
  },
);
