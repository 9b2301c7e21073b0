import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type pg from 'pg';
import { type Currency, type Decimal, formatDecimal, parseDecimal } from '../domain/money.js';
import { RATE_BASE, type RatesDocument, type StoredRate } from '../domain/rates.js';
import { fail } from '../errors.js';
import { transaction } from './transaction.js';

export interface LoadResult {
  /** Rates stored by this load. */
  inserted: number;
  /** Rates that were already stored with the same value (a file loaded twice). */
  unchanged: number;
}

function toRate(row: Record<string, unknown>): StoredRate {
  // numeric arrives as text; it was written from a Decimal, so it parses back exactly.
  const rate = parseDecimal(String(row.rate)) as Decimal;
  return {
    currency: String(row.currency) as Currency,
    rate,
    asOf: row.as_of as Date,
    source: String(row.source),
  };
}

export function createRateRepository(pool: pg.Pool) {
  return {
    /**
     * Stores every rate of the documents in one transaction. A rate already stored for the same currency
     * and instant is left alone when equal and refuses the whole load when different: a published rate is
     * a fact, and two different facts for one instant mean one of the files is wrong.
     */
    async load(documents: RatesDocument[]): Promise<LoadResult> {
      const rows = documents.flatMap((doc) =>
        Object.entries(doc.rates).map(([currency, rate]) => ({
          currency,
          rate: formatDecimal(rate as Decimal),
          as_of: doc.asOf.toISOString(),
          source: doc.source,
        })),
      );
      return transaction(pool, async (client) => {
        const { rows: inserted } = await client.query(
          `INSERT INTO exchange_rates (base, currency, rate, as_of, source)
           SELECT $1, r.currency, r.rate, r.as_of, r.source
           FROM jsonb_to_recordset($2::jsonb) AS r(currency text, rate numeric, as_of timestamptz, source text)
           ON CONFLICT (base, currency, as_of) DO NOTHING
           RETURNING currency`,
          [RATE_BASE, JSON.stringify(rows)],
        );
        if (inserted.length < rows.length) {
          const { rows: differing } = await client.query(
            `SELECT e.currency, e.as_of, e.rate AS stored, r.rate AS offered
             FROM jsonb_to_recordset($2::jsonb) AS r(currency text, rate numeric, as_of timestamptz, source text)
             JOIN exchange_rates e ON e.base = $1 AND e.currency = r.currency AND e.as_of = r.as_of
             WHERE e.rate <> r.rate`,
            [RATE_BASE, JSON.stringify(rows)],
          );
          const first = differing[0];
          if (first) {
            throw fail(
              'RATE_CONFLICT',
              `${first.currency} at ${(first.as_of as Date).toISOString()} is stored as ${first.stored}, not ${first.offered}`,
              { conflicts: differing.length },
            );
          }
        }
        return { inserted: inserted.length, unchanged: rows.length - inserted.length };
      });
    },

    /** The newest rate of every currency against the base, through `client` (a quote's transaction). */
    async newest(client: pg.ClientBase | pg.Pool = pool): Promise<Map<Currency, StoredRate>> {
      const { rows } = await client.query(
        `SELECT DISTINCT ON (currency) currency, rate, as_of, source FROM exchange_rates
         WHERE base = $1 ORDER BY currency, as_of DESC`,
        [RATE_BASE],
      );
      return new Map(rows.map((row) => [String(row.currency) as Currency, toRate(row)]));
    },

    /** A currency's rates, newest first, before `before` when given. */
    async history(currency: Currency, limit: number, before?: Date): Promise<StoredRate[]> {
      const { rows } = await pool.query(
        `SELECT currency, rate, as_of, source FROM exchange_rates
         WHERE base = $1 AND currency = $2 AND ($3::timestamptz IS NULL OR as_of < $3)
         ORDER BY as_of DESC LIMIT $4`,
        [RATE_BASE, currency, before ?? null, limit],
      );
      return rows.map(toRate);
    },
  };
}

export type RateRepository = ReturnType<typeof createRateRepository>;

declare module 'fastify' {
  interface FastifyInstance {
    rates: RateRepository;
  }
}

export const rateRepositoryPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorate('rates', createRateRepository(app.pg));
  },
  { name: 'rate-repository', dependencies: ['kit-postgres'] },
);
