import { randomUUID } from 'node:crypto';
import { mysqlTransaction } from '@shop/common';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type mysql from 'mysql2/promise';
import { type SagaMode, type SagaState, startSaga } from '../domain/checkout-saga.js';
import {
  assertTransition,
  type Order,
  type OrderLineInput,
  type OrderStatus,
  priceLines,
} from '../domain/order.js';
import { fail } from '../errors.js';
import type { OrderEventWriter } from '../events/order-events.js';

type Conn = mysql.PoolConnection;

export interface NewOrder {
  customerId: string;
  cartId: string;
  checkoutId: string;
  region: string;
  currency: string;
  lines: OrderLineInput[];
  /** The checkout saga to start with the order; absent: no saga (orders imported or created by tests). */
  saga?: { mode: SagaMode; ttlSeconds: number; psp: Record<string, unknown> | null } | null;
}

export interface OrderRepository {
  /** Creates the order, its items, its saga and `order.created.v1` in one transaction on `conn`. */
  createIn(conn: Conn, input: NewOrder): Promise<{ order: Order; created: boolean }>;
  create(input: NewOrder): Promise<{ order: Order; created: boolean }>;
  get(id: string): Promise<Order | null>;
  list(query: { customerId?: string; after?: number; limit: number }): Promise<{
    items: Order[];
    next: number | null;
  }>;
  /** Moves the order through a legal transition with `order.status.changed.v1`; throws ILLEGAL_TRANSITION. */
  transitionIn(
    conn: Conn,
    id: string,
    to: OrderStatus,
    reason: string | null,
  ): Promise<{ order: Order; changed: boolean }>;
  transition(id: string, to: OrderStatus, reason: string | null): Promise<Order>;
}

interface OrderRow extends mysql.RowDataPacket {
  id: string;
  seq: number;
  customer_id: string;
  cart_id: string;
  checkout_id: string;
  region: string;
  currency: string;
  subtotal_minor: number;
  total_minor: number;
  status: OrderStatus;
  status_reason: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

interface ItemRow extends mysql.RowDataPacket {
  order_id: string;
  sku: string;
  quantity: number;
  unit_price_minor: number;
  line_total_minor: number;
}

function toOrder(row: OrderRow, items: ItemRow[]): Order {
  return {
    id: row.id,
    customerId: row.customer_id,
    cartId: row.cart_id,
    checkoutId: row.checkout_id,
    region: row.region,
    currency: row.currency,
    status: row.status,
    statusReason: row.status_reason,
    subtotalMinor: Number(row.subtotal_minor),
    totalMinor: Number(row.total_minor),
    version: Number(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lines: items.map((i) => ({
      sku: i.sku,
      quantity: Number(i.quantity),
      unitPriceMinor: Number(i.unit_price_minor),
      lineTotalMinor: Number(i.line_total_minor),
    })),
  };
}

async function loadItems(db: Pick<mysql.Pool, 'query'>, ids: string[]): Promise<Map<string, ItemRow[]>> {
  const byOrder = new Map<string, ItemRow[]>();
  if (ids.length === 0) return byOrder;
  const [rows] = await db.query<ItemRow[]>(
    'SELECT * FROM order_items WHERE order_id IN (?) ORDER BY order_id, position',
    [ids],
  );
  for (const row of rows) {
    const list = byOrder.get(row.order_id) ?? [];
    list.push(row);
    byOrder.set(row.order_id, list);
  }
  return byOrder;
}

/** Whether an existing order asks for the same thing as a new request for its cart. */
function sameTerms(order: Order, input: NewOrder): boolean {
  if (order.customerId !== input.customerId || order.region !== input.region) return false;
  if (order.currency !== input.currency || order.lines.length !== input.lines.length) return false;
  return input.lines.every((l, i) => {
    const o = order.lines[i];
    return o?.sku === l.sku && o.quantity === l.quantity && o.unitPriceMinor === l.unitPriceMinor;
  });
}

export function createOrderRepository(pool: mysql.Pool, events: OrderEventWriter): OrderRepository {
  // A locking read sees the newest committed row, so a concurrent creator's order is found after its
  // commit. Shared, not FOR UPDATE: every loser of the race already holds a shared lock on the key from its
  // duplicate check, and upgrading them all to exclusive would deadlock them against each other.
  async function lockedByCart(conn: Conn, cartId: string): Promise<Order | null> {
    const [rows] = await conn.query<OrderRow[]>('SELECT * FROM orders WHERE cart_id = ? LOCK IN SHARE MODE', [
      cartId,
    ]);
    const row = rows[0];
    if (!row) return null;
    return toOrder(row, (await loadItems(conn, [row.id])).get(row.id) ?? []);
  }

  const repo: OrderRepository = {
    async createIn(conn, input) {
      const { lines, subtotalMinor } = priceLines(input.lines);
      // Insert first, read on conflict: a read-then-insert would take gap locks that deadlock two
      // concurrent checkouts of the same cart, while the unique key makes the second insert wait for the
      // first to commit and then fail as a duplicate.
      const id = randomUUID();
      try {
        await conn.query(
          `INSERT INTO orders (id, customer_id, cart_id, checkout_id, region, currency, subtotal_minor, total_minor, status)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending')`,
          [
            id,
            input.customerId,
            input.cartId,
            input.checkoutId,
            input.region,
            input.currency,
            subtotalMinor,
            subtotalMinor,
          ],
        );
      } catch (err) {
        // A concurrent creation of the same cart committed between our read and our insert: answer its order.
        if ((err as { code?: string }).code !== 'ER_DUP_ENTRY') throw err;
        const other = await lockedByCart(conn, input.cartId);
        if (!other) {
          throw fail('CART_ALREADY_ORDERED', `checkout ${input.checkoutId} already became another order`);
        }
        if (!sameTerms(other, input)) {
          throw fail('CART_ALREADY_ORDERED', `cart ${input.cartId} already became order ${other.id}`, {
            orderId: other.id,
          });
        }
        return { order: other, created: false };
      }
      await conn.query(
        'INSERT INTO order_items (order_id, position, sku, quantity, unit_price_minor, line_total_minor, region) VALUES ?',
        [
          lines.map((l, i) => [
            id,
            i + 1,
            l.sku,
            l.quantity,
            l.unitPriceMinor,
            l.lineTotalMinor,
            input.region,
          ]),
        ],
      );
      if (input.saga) {
        const state: SagaState = startSaga({
          mode: input.saga.mode,
          ttlSeconds: input.saga.ttlSeconds,
          lines,
          newId: randomUUID,
          psp: input.saga.psp,
        });
        await conn.query(
          `INSERT INTO checkout_sagas (order_id, region, mode, phase, current_step, state) VALUES (?, ?, ?, 'forward', 'reserve', ?)`,
          [id, input.region, input.saga.mode, JSON.stringify(state)],
        );
      }
      const [rows] = await conn.query<OrderRow[]>('SELECT * FROM orders WHERE id = ?', [id]);
      const order = toOrder(rows[0]!, (await loadItems(conn, [id])).get(id) ?? []);
      await events.created(conn, order);
      return { order, created: true };
    },

    async create(input) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await mysqlTransaction(pool, (conn) => repo.createIn(conn, input));
        } catch (err) {
          // InnoDB picks a victim when concurrent creations lock each other; the victim simply tries again.
          if ((err as { code?: string }).code !== 'ER_LOCK_DEADLOCK' || attempt >= 5) throw err;
        }
      }
    },

    async get(id) {
      const [rows] = await pool.query<OrderRow[]>('SELECT * FROM orders WHERE id = ?', [id]);
      const row = rows[0];
      if (!row) return null;
      return toOrder(row, (await loadItems(pool, [id])).get(id) ?? []);
    },

    async list({ customerId, after, limit }) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (customerId) {
        where.push('customer_id = ?');
        params.push(customerId);
      }
      if (after !== undefined) {
        where.push('seq < ?');
        params.push(after);
      }
      // Newest first; one row more than asked tells whether there is a next page.
      const [rows] = await pool.query<OrderRow[]>(
        `SELECT * FROM orders ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`,
        [...params, limit + 1],
      );
      const page = rows.slice(0, limit);
      const items = await loadItems(
        pool,
        page.map((r) => r.id),
      );
      return {
        items: page.map((r) => toOrder(r, items.get(r.id) ?? [])),
        next: rows.length > limit ? Number(page[page.length - 1]!.seq) : null,
      };
    },

    async transitionIn(conn, id, to, reason) {
      const [rows] = await conn.query<OrderRow[]>('SELECT * FROM orders WHERE id = ? FOR UPDATE', [id]);
      const row = rows[0];
      if (!row) throw fail('ORDER_NOT_FOUND', `order ${id} does not exist`);
      const items = (await loadItems(conn, [id])).get(id) ?? [];
      assertTransition(row.status, to);
      await conn.query(
        'UPDATE orders SET status = ?, status_reason = ?, version = version + 1, updated_at = CURRENT_TIMESTAMP(6) WHERE id = ?',
        [to, reason, id],
      );
      await events.statusChanged(
        conn,
        { id, customerId: row.customer_id, region: row.region },
        row.status,
        to,
        reason,
      );
      const order = toOrder(
        {
          ...row,
          status: to,
          status_reason: reason,
          version: row.version + 1,
          updated_at: new Date(),
        } as OrderRow,
        items,
      );
      return { order, changed: true };
    },

    async transition(id, to, reason) {
      return (await mysqlTransaction(pool, (conn) => repo.transitionIn(conn, id, to, reason))).order;
    },
  };
  return repo;
}

declare module 'fastify' {
  interface FastifyInstance {
    orders: OrderRepository;
  }
}

/** `app.orders`. */
export const orderRepositoryPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorate('orders', createOrderRepository(app.mysql, app.orderEvents));
  },
  { name: 'order-repository', dependencies: ['kit-mysql', 'order-events'] },
);
