import { createHash, timingSafeEqual } from 'node:crypto';
import { mysqlTransaction, type Region } from '@shop/common';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type mysql from 'mysql2/promise';
import type { Cart, CartLine, CartStatus } from '../domain/cart.js';
import type { CheckoutResult } from '../domain/checkout.js';
import type { CartEvent, CartEventWriter } from '../events/cart-events.js';

/** A cart as stored: the domain cart plus what only access checks need. */
export interface StoredCart extends Cart {
  /** SHA-256 (hex) of a guest cart's token; null for a customer's cart. */
  guestTokenHash: string | null;
}

export interface NewCart {
  id: string;
  customerId: string | null;
  guestTokenHash: string | null;
  region: Region;
  currency: string;
}

/** What a unit of work decided: carts to save, events to publish, and a checkout to record. */
export interface Changes<R> {
  save: StoredCart[];
  events: CartEvent[];
  checkout?: CheckoutResult;
  result: R;
}

type Row = mysql.RowDataPacket;

const cartColumns =
  'id, customer_id, guest_token_hash, region, currency, status, version, merged_into, created_at, updated_at';
const lineColumns =
  'cart_id, sku, name, quantity, unit_price_minor, currency, quote_id, rules_applied, priced_at, needs_reprice, added_at';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Compares a presented guest token with the stored hash in constant time. */
export function tokenMatches(token: string, storedHash: string | null): boolean {
  if (!storedHash) return false;
  const a = Buffer.from(hashToken(token), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

function iso(value: unknown): string {
  return (value as Date).toISOString();
}

function toLine(row: Row): CartLine {
  return {
    sku: String(row.sku),
    name: String(row.name),
    quantity: Number(row.quantity),
    unitPriceMinor: Number(row.unit_price_minor),
    currency: String(row.currency),
    quoteId: String(row.quote_id),
    rulesApplied: JSON.parse(String(row.rules_applied)) as string[],
    pricedAt: iso(row.priced_at),
    needsReprice: Boolean(row.needs_reprice),
    addedAt: iso(row.added_at),
  };
}

function toCart(row: Row, lines: CartLine[]): StoredCart {
  return {
    id: String(row.id),
    customerId: row.customer_id === null ? null : String(row.customer_id),
    guestTokenHash: row.guest_token_hash === null ? null : String(row.guest_token_hash),
    region: row.region as Region,
    currency: String(row.currency),
    status: row.status as CartStatus,
    version: Number(row.version),
    mergedInto: row.merged_into === null ? null : String(row.merged_into),
    lines,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

type Queryable = Pick<mysql.Pool | mysql.PoolConnection, 'query'>;

async function load(db: Queryable, ids: string[], lock: boolean): Promise<Map<string, StoredCart>> {
  const found = new Map<string, StoredCart>();
  if (ids.length === 0) return found;
  // Locked in id order, whoever asks: two merges touching the same pair of carts cannot deadlock.
  const sorted = [...new Set(ids)].sort();
  const [carts] = await db.query<Row[]>(
    `SELECT ${cartColumns} FROM carts WHERE id IN (?) ORDER BY id${lock ? ' FOR UPDATE' : ''}`,
    [sorted],
  );
  if (carts.length === 0) return found;
  const [lines] = await db.query<Row[]>(
    `SELECT ${lineColumns} FROM cart_lines WHERE cart_id IN (?) ORDER BY cart_id, position`,
    [carts.map((c) => c.id)],
  );
  for (const row of carts) {
    found.set(String(row.id), toCart(row, lines.filter((l) => l.cart_id === row.id).map(toLine)));
  }
  return found;
}

async function saveCart(
  conn: mysql.PoolConnection,
  cart: StoredCart,
  previousVersion: number,
): Promise<void> {
  const [updated] = await conn.query<mysql.ResultSetHeader>(
    'UPDATE carts SET status = ?, version = ?, merged_into = ?, updated_at = ? WHERE id = ? AND version = ?',
    [cart.status, cart.version, cart.mergedInto, new Date(cart.updatedAt), cart.id, previousVersion],
  );
  // The row is locked, so this only fails on a programming error (a version not moved forward by one).
  if (updated.affectedRows !== 1) throw new Error(`cart ${cart.id} was not at version ${previousVersion}`);
  await conn.query('DELETE FROM cart_lines WHERE cart_id = ?', [cart.id]);
  if (cart.lines.length === 0) return;
  await conn.query(`INSERT INTO cart_lines (${lineColumns}, region, position) VALUES ?`, [
    cart.lines.map((l, position) => [
      cart.id,
      l.sku,
      l.name,
      l.quantity,
      l.unitPriceMinor,
      l.currency,
      l.quoteId,
      JSON.stringify(l.rulesApplied),
      new Date(l.pricedAt),
      l.needsReprice,
      new Date(l.addedAt),
      cart.region,
      position,
    ]),
  ]);
}

function isDuplicate(err: unknown): boolean {
  return (err as { code?: string }).code === 'ER_DUP_ENTRY';
}

function isRetryable(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
}

/** Carts in MariaDB, the store of record: every change is one transaction with its outbox events. */
export function createCartRepository(pool: mysql.Pool, events: CartEventWriter) {
  function updateOnce<R>(
    ids: string[],
    work: (carts: Map<string, StoredCart>, existingCheckout: CheckoutResult | undefined) => Changes<R>,
  ): Promise<R> {
    // READ COMMITTED: the cart rows locked FOR UPDATE serialise writers of a cart; REPEATABLE READ would
    // add gap locks on cart_lines that deadlock writers of neighbouring carts.
    return mysqlTransaction(
      pool,
      async (conn) => {
        const carts = await load(conn, ids, true);
        let existingCheckout: CheckoutResult | undefined;
        const first = ids[0];
        if (first && carts.get(first)?.status === 'checked_out') {
          const [rows] = await conn.query<Row[]>('SELECT result FROM checkouts WHERE cart_id = ?', [first]);
          if (rows[0]) existingCheckout = JSON.parse(String(rows[0].result)) as CheckoutResult;
        }
        const changes = work(carts, existingCheckout);
        for (const cart of changes.save) {
          const before = carts.get(cart.id);
          if (!before) throw new Error(`cart ${cart.id} was not loaded in this transaction`);
          await saveCart(conn, cart, before.version);
        }
        if (changes.checkout) {
          const c = changes.checkout;
          // The primary key on cart_id is the last line of defence: a second checkout of the cart fails
          // here even if the status check above were bypassed.
          await conn.query(
            `INSERT INTO checkouts (cart_id, id, customer_id, region, currency, subtotal_minor, result)
             VALUES (?, ?, ?, ?, ?, ?, ?)`,
            [c.cartId, c.checkoutId, c.customerId, c.region, c.currency, c.subtotalMinor, JSON.stringify(c)],
          );
        }
        for (const event of changes.events) await events.write(conn, event);
        return changes.result;
      },
      { isolation: 'READ COMMITTED' },
    );
  }

  return {
    async get(id: string): Promise<StoredCart | undefined> {
      return (await load(pool, [id], false)).get(id);
    },

    async findOpen(customerId: string, region: Region): Promise<StoredCart | undefined> {
      const [rows] = await pool.query<Row[]>(
        `SELECT id FROM carts WHERE customer_id = ? AND region = ? AND status = 'open'`,
        [customerId, region],
      );
      return rows[0] ? this.get(String(rows[0].id)) : undefined;
    },

    /**
     * Creates a cart. A customer has at most one open cart per region (a unique key): creating another
     * answers the existing one, so two racing requests end with one cart.
     */
    async create(input: NewCart): Promise<{ cart: StoredCart; created: boolean }> {
      try {
        await pool.query(
          'INSERT INTO carts (id, customer_id, guest_token_hash, region, currency) VALUES (?, ?, ?, ?, ?)',
          [input.id, input.customerId, input.guestTokenHash, input.region, input.currency],
        );
      } catch (err) {
        if (input.customerId && isDuplicate(err)) {
          const existing = await this.findOpen(input.customerId, input.region);
          if (existing) return { cart: existing, created: false };
        }
        throw err;
      }
      const cart = await this.get(input.id);
      if (!cart) throw new Error(`cart ${input.id} vanished after insert`);
      return { cart, created: true };
    },

    async getCheckout(cartId: string): Promise<CheckoutResult | undefined> {
      const [rows] = await pool.query<Row[]>('SELECT result FROM checkouts WHERE cart_id = ?', [cartId]);
      return rows[0] ? (JSON.parse(String(rows[0].result)) as CheckoutResult) : undefined;
    },

    /**
     * Locks the carts (in id order), lets `work` decide on their current state, then writes every saved
     * cart, the checkout if any and the events in the same transaction: all of it or none. `work` gets
     * the carts found (absent ids are missing from the map) and the checkout already recorded for the
     * first id, if any. It must not do I/O; throwing rolls everything back.
     */
    async update<R>(
      ids: string[],
      work: (carts: Map<string, StoredCart>, existingCheckout: CheckoutResult | undefined) => Changes<R>,
    ): Promise<R> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await updateOnce(ids, work);
        } catch (err) {
          // The server picked this transaction as a deadlock victim and rolled it back whole; `work` has no
          // side effects outside it, so running it again on the state then current is safe.
          if (attempt < 3 && isRetryable(err)) continue;
          throw err;
        }
      }
    },
  };
}

export type CartRepository = ReturnType<typeof createCartRepository>;

declare module 'fastify' {
  interface FastifyInstance {
    carts: CartRepository;
  }
}

export const cartRepositoryPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorate('carts', createCartRepository(app.mysql, app.cartEvents));
  },
  { name: 'cart-repository', dependencies: ['kit-mysql', 'cart-events'] },
);
