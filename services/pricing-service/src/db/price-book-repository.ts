import type { Cursor, Region } from '@shop/common';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type pg from 'pg';
import type { Currency } from '../domain/money.js';
import { fail } from '../errors.js';
import { isUniqueViolation, transaction } from './transaction.js';

export interface PriceBook {
  id: string;
  name: string;
  region: Region;
  currency: Currency;
  isDefault: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface BasePrice {
  priceBookId: string;
  sku: string;
  region: Region;
  category: string | null;
  amountMinor: number;
  createdAt: string;
  updatedAt: string;
}

export interface NewPriceBook {
  name: string;
  region: Region;
  currency: Currency;
  isDefault?: boolean | undefined;
}

export interface PriceInput {
  sku: string;
  amountMinor: number;
  category?: string | null | undefined;
}

const bookColumns = 'id, name, region, currency, is_default, created_at, updated_at';
const priceColumns = 'price_book_id, sku, region, category, amount_minor, created_at, updated_at';

function toBook(row: Record<string, unknown>): PriceBook {
  return {
    id: String(row.id),
    name: String(row.name),
    region: row.region as Region,
    currency: String(row.currency) as Currency,
    isDefault: Boolean(row.is_default),
    createdAt: (row.created_at as Date).toISOString(),
    updatedAt: (row.updated_at as Date).toISOString(),
  };
}

function toPrice(row: Record<string, unknown>): BasePrice {
  return {
    priceBookId: String(row.price_book_id),
    sku: String(row.sku),
    region: row.region as Region,
    category: (row.category as string | null) ?? null,
    amountMinor: Number(row.amount_minor),
    createdAt: (row.created_at as Date).toISOString(),
    updatedAt: (row.updated_at as Date).toISOString(),
  };
}

async function lockBook(client: pg.PoolClient, id: string): Promise<PriceBook> {
  const { rows } = await client.query(`SELECT ${bookColumns} FROM price_books WHERE id = $1 FOR UPDATE`, [
    id,
  ]);
  if (!rows[0]) throw fail('PRICE_BOOK_NOT_FOUND', `price book ${id} does not exist`);
  return toBook(rows[0]);
}

// Books of one region change one at a time, so "the first book is the default" and "exactly one default"
// hold under concurrent requests without a serializable transaction.
async function lockRegion(client: pg.PoolClient, region: Region): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`pricing.price-books.${region}`]);
}

export function createPriceBookRepository(pool: pg.Pool) {
  return {
    /** Creates a book; the region's first book becomes its default, and `isDefault` moves the default. */
    async create(input: NewPriceBook): Promise<PriceBook> {
      return transaction(pool, async (client) => {
        await lockRegion(client, input.region);
        const existing = await client.query('SELECT 1 FROM price_books WHERE region = $1 AND is_default', [
          input.region,
        ]);
        const makeDefault = input.isDefault === true || existing.rowCount === 0;
        if (makeDefault) {
          await client.query(
            'UPDATE price_books SET is_default = false, updated_at = now() WHERE region = $1 AND is_default',
            [input.region],
          );
        }
        try {
          const { rows } = await client.query(
            `INSERT INTO price_books (name, region, currency, is_default) VALUES ($1, $2, $3, $4)
             RETURNING ${bookColumns}`,
            [input.name, input.region, input.currency, makeDefault],
          );
          return toBook(rows[0]!);
        } catch (err) {
          if (isUniqueViolation(err, 'price_books_region_currency_key')) {
            throw fail('PRICE_BOOK_EXISTS', `${input.region} already has a ${input.currency} price book`, {
              field: 'body.currency',
            });
          }
          throw err;
        }
      });
    },

    async get(id: string): Promise<PriceBook | undefined> {
      const { rows } = await pool.query(`SELECT ${bookColumns} FROM price_books WHERE id = $1`, [id]);
      return rows[0] ? toBook(rows[0]) : undefined;
    },

    /** Every book of a region (a handful): what a quote chooses from. */
    async inRegion(client: pg.ClientBase | pg.Pool, region: Region): Promise<PriceBook[]> {
      const { rows } = await client.query(`SELECT ${bookColumns} FROM price_books WHERE region = $1`, [
        region,
      ]);
      return rows.map(toBook);
    },

    /** Keyset page ordered by (created_at, id); `limit + 1` rows tell whether another page exists. */
    async list(filter: {
      region?: Region | undefined;
      currency?: Currency | undefined;
      after?: Cursor | undefined;
      limit: number;
    }): Promise<{ items: PriceBook[]; more: boolean }> {
      const where: string[] = [];
      const values: unknown[] = [];
      if (filter.region) {
        values.push(filter.region);
        where.push(`region = $${values.length}`);
      }
      if (filter.currency) {
        values.push(filter.currency);
        where.push(`currency = $${values.length}`);
      }
      if (filter.after) {
        values.push(filter.after.createdAt, filter.after.id);
        where.push(`(created_at, id) > ($${values.length - 1}::timestamptz, $${values.length}::uuid)`);
      }
      values.push(filter.limit + 1);
      const { rows } = await pool.query(
        `SELECT ${bookColumns} FROM price_books ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY created_at, id LIMIT $${values.length}`,
        values,
      );
      return { items: rows.slice(0, filter.limit).map(toBook), more: rows.length > filter.limit };
    },

    /** Renames a book or makes it its region's default (region and currency never change: prices depend on them). */
    async update(
      id: string,
      changes: { name?: string | undefined; isDefault?: true | undefined },
    ): Promise<PriceBook> {
      return transaction(pool, async (client) => {
        const { rows: found } = await client.query('SELECT region FROM price_books WHERE id = $1', [id]);
        if (!found[0]) throw fail('PRICE_BOOK_NOT_FOUND', `price book ${id} does not exist`);
        await lockRegion(client, found[0].region as Region);
        const book = await lockBook(client, id);
        if (changes.isDefault && !book.isDefault) {
          await client.query(
            'UPDATE price_books SET is_default = false, updated_at = now() WHERE region = $1 AND is_default',
            [book.region],
          );
        }
        const { rows } = await client.query(
          `UPDATE price_books SET name = COALESCE($2, name), is_default = is_default OR $3, updated_at = now()
           WHERE id = $1 RETURNING ${bookColumns}`,
          [id, changes.name ?? null, changes.isDefault === true],
        );
        return toBook(rows[0]!);
      });
    },

    /** Deletes a book and its prices. Quotes keep their own copy of what they were priced from. */
    async remove(id: string): Promise<void> {
      await transaction(pool, async (client) => {
        const { rows: found } = await client.query('SELECT region FROM price_books WHERE id = $1', [id]);
        if (!found[0]) throw fail('PRICE_BOOK_NOT_FOUND', `price book ${id} does not exist`);
        await lockRegion(client, found[0].region as Region);
        const book = await lockBook(client, id);
        if (book.isDefault) {
          const others = await client.query('SELECT 1 FROM price_books WHERE region = $1 AND id <> $2', [
            book.region,
            id,
          ]);
          if ((others.rowCount ?? 0) > 0) {
            throw fail(
              'PRICE_BOOK_IS_DEFAULT',
              `${book.name} is the default book of ${book.region}; make another book the default first`,
            );
          }
        }
        await client.query('DELETE FROM price_books WHERE id = $1', [id]);
      });
    },

    /** Creates or replaces base prices, all or none; returns them with whether each was new. */
    async putPrices(bookId: string, prices: PriceInput[]): Promise<{ price: BasePrice; created: boolean }[]> {
      return transaction(pool, async (client) => {
        // FOR SHARE: a concurrent delete of the book waits for this write instead of orphaning it.
        const { rows: found } = await client.query('SELECT region FROM price_books WHERE id = $1 FOR SHARE', [
          bookId,
        ]);
        if (!found[0]) throw fail('PRICE_BOOK_NOT_FOUND', `price book ${bookId} does not exist`);
        const { rows } = await client.query(
          `INSERT INTO base_prices (price_book_id, sku, region, category, amount_minor)
           SELECT $1, p.sku, $2, p.category, p.amount_minor
           FROM jsonb_to_recordset($3::jsonb) AS p(sku text, category text, amount_minor bigint)
           ON CONFLICT (price_book_id, sku) DO UPDATE
             SET category = EXCLUDED.category, amount_minor = EXCLUDED.amount_minor, updated_at = now()
           RETURNING ${priceColumns}, (xmax = 0) AS created`,
          [
            bookId,
            found[0].region,
            JSON.stringify(
              prices.map((p) => ({ sku: p.sku, category: p.category ?? null, amount_minor: p.amountMinor })),
            ),
          ],
        );
        return rows.map((row) => ({ price: toPrice(row), created: Boolean(row.created) }));
      });
    },

    async getPrice(bookId: string, sku: string): Promise<BasePrice | undefined> {
      const { rows } = await pool.query(
        `SELECT ${priceColumns} FROM base_prices WHERE price_book_id = $1 AND sku = $2`,
        [bookId, sku],
      );
      return rows[0] ? toPrice(rows[0]) : undefined;
    },

    /** The prices of some SKUs in one book, for a quote, through the quote's transaction. */
    async pricesFor(client: pg.ClientBase, bookId: string, skus: string[]): Promise<BasePrice[]> {
      const { rows } = await client.query(
        `SELECT ${priceColumns} FROM base_prices WHERE price_book_id = $1 AND sku = ANY($2::text[])`,
        [bookId, skus],
      );
      return rows.map(toPrice);
    },

    /** Keyset page ordered by SKU. */
    async listPrices(
      bookId: string,
      filter: { category?: string | undefined; afterSku?: string | undefined; limit: number },
    ): Promise<{ items: BasePrice[]; more: boolean }> {
      const where = ['price_book_id = $1'];
      const values: unknown[] = [bookId];
      if (filter.category) {
        values.push(filter.category);
        where.push(`category = $${values.length}`);
      }
      if (filter.afterSku !== undefined) {
        values.push(filter.afterSku);
        where.push(`sku > $${values.length}`);
      }
      values.push(filter.limit + 1);
      const { rows } = await pool.query(
        `SELECT ${priceColumns} FROM base_prices WHERE ${where.join(' AND ')} ORDER BY sku LIMIT $${values.length}`,
        values,
      );
      return { items: rows.slice(0, filter.limit).map(toPrice), more: rows.length > filter.limit };
    },

    async removePrice(bookId: string, sku: string): Promise<void> {
      const { rowCount } = await pool.query('DELETE FROM base_prices WHERE price_book_id = $1 AND sku = $2', [
        bookId,
        sku,
      ]);
      if (rowCount === 0) throw fail('PRICE_NOT_FOUND', `${sku} has no base price in price book ${bookId}`);
    },
  };
}

export type PriceBookRepository = ReturnType<typeof createPriceBookRepository>;

declare module 'fastify' {
  interface FastifyInstance {
    priceBooks: PriceBookRepository;
  }
}

export const priceBookRepositoryPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorate('priceBooks', createPriceBookRepository(app.pg));
  },
  { name: 'price-book-repository', dependencies: ['kit-postgres'] },
);
