import { type Region, regions } from '@shop/common';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type pg from 'pg';
import type { Currency } from '../domain/money.js';
import {
  type BookPrice,
  chooseBook,
  type PricedLine,
  type PricedQuote,
  priceQuote,
  type QuoteInput,
} from '../domain/quote.js';
import { type Conversion, conversionFor, isStale } from '../domain/rates.js';
import { fail } from '../errors.js';
import type { PriceBookRepository } from './price-book-repository.js';
import type { RateRepository } from './rate-repository.js';
import type { RuleRepository } from './rule-repository.js';
import { transaction } from './transaction.js';

/** A persisted quote: the priced quote plus who asked and how long it holds. */
export interface StoredQuote extends Omit<PricedQuote, 'conversion' | 'pricedAt'> {
  id: string;
  requestedBy: string;
  conversion: ConversionView | null;
  pricedAt: string;
  expiresAt: string;
}

/** A conversion as quotes show and store it: decimal strings and ISO instants, no internal fractions. */
export interface ConversionView {
  from: Currency;
  to: Currency;
  rate: string;
  asOf: string;
  legs: { base: Currency; currency: Currency; rate: string; asOf: string; source: string }[];
}

function conversionView(c: Conversion): ConversionView {
  return {
    from: c.from,
    to: c.to,
    rate: c.rate,
    asOf: c.asOf.toISOString(),
    legs: c.legs.map((l) => ({ ...l, asOf: l.asOf.toISOString() })),
  };
}

function toQuote(row: Record<string, unknown>, lines: PricedLine[]): StoredQuote {
  return {
    id: String(row.id),
    region: row.region as Region,
    currency: String(row.currency) as Currency,
    customerId: (row.customer_id as string | null) ?? null,
    segment: (row.segment as string | null) ?? null,
    requestedBy: String(row.requested_by),
    priceBook: row.price_book as StoredQuote['priceBook'],
    conversion: (row.conversion as ConversionView | null) ?? null,
    lines,
    subtotalMinor: Number(row.subtotal_minor),
    discountMinor: Number(row.discount_minor),
    totalMinor: Number(row.total_minor),
    pricedAt: (row.priced_at as Date).toISOString(),
    expiresAt: (row.expires_at as Date).toISOString(),
  };
}

function toLine(row: Record<string, unknown>): PricedLine {
  const explained = row.rules_applied as Pick<PricedLine, 'rulesApplied' | 'rulesNotApplied'>;
  return {
    sku: String(row.sku),
    category: (row.category as string | null) ?? null,
    quantity: Number(row.quantity),
    baseUnitPriceMinor: Number(row.base_unit_price_minor),
    listUnitPriceMinor: Number(row.list_unit_price_minor),
    unitDiscountMinor: Number(row.unit_discount_minor),
    unitPriceMinor: Number(row.unit_price_minor),
    lineTotalMinor: Number(row.line_total_minor),
    lineDiscountMinor: Number(row.line_discount_minor),
    rulesApplied: explained.rulesApplied,
    rulesNotApplied: explained.rulesNotApplied,
  };
}

export interface QuoteSettings {
  ttlSeconds: number;
  rateMaxAgeHours: number;
}

export function createQuoteRepository(
  pool: pg.Pool,
  deps: { priceBooks: PriceBookRepository; rules: RuleRepository; rates: RateRepository },
  settings: QuoteSettings,
) {
  return {
    /**
     * Prices and stores a quote. Everything it reads (book, prices, rules, rates) comes from one snapshot
     * (REPEATABLE READ), so a rule committed meanwhile is either wholly in the quote or wholly not.
     */
    async create(input: QuoteInput, requestedBy: string): Promise<StoredQuote> {
      return transaction(
        pool,
        async (client) => {
          // The database's clock, the same one rule windows and rates were written against.
          const { rows: clock } = await client.query('SELECT now() AS now');
          const at = clock[0]!.now as Date;
          const book = chooseBook(
            await deps.priceBooks.inRegion(client, input.region),
            input.region,
            input.currency,
          );
          const skus = input.lines.map((l) => l.sku);
          const prices = new Map<string, BookPrice>(
            (await deps.priceBooks.pricesFor(client, book.id, skus)).map((p) => [p.sku, p]),
          );
          const categories = [
            ...new Set(
              input.lines
                .map((l) => prices.get(l.sku)?.category ?? l.category)
                .filter((c): c is string => typeof c === 'string'),
            ),
          ];
          const rules = await deps.rules.candidates(client, input.region, skus, categories, at);
          let conversion: Conversion | null = null;
          if (book.currency !== input.currency) {
            const newest = await deps.rates.newest(client);
            conversion = conversionFor(book.currency, input.currency, (c) => newest.get(c)) ?? null;
            if (!conversion) {
              throw fail(
                'RATE_UNAVAILABLE',
                `${input.region} has no ${input.currency} book and no rate converts its ${book.currency} book`,
                { from: book.currency, to: input.currency },
              );
            }
            if (isStale(conversion, at, settings.rateMaxAgeHours)) {
              throw fail(
                'RATE_STALE',
                `the newest ${book.currency}/${input.currency} rate is as of ${conversion.asOf.toISOString()}, ` +
                  `older than ${settings.rateMaxAgeHours} hours`,
                { asOf: conversion.asOf.toISOString() },
              );
            }
          }
          const priced = priceQuote({ input, book, prices, rules, conversion, regions, at });
          const expiresAt = new Date(at.getTime() + settings.ttlSeconds * 1000);
          const view = priced.conversion ? conversionView(priced.conversion) : null;
          const { rows } = await client.query(
            `INSERT INTO quotes (region, currency, customer_id, segment, requested_by, price_book, conversion,
               subtotal_minor, discount_minor, total_minor, priced_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *`,
            [
              priced.region,
              priced.currency,
              priced.customerId,
              priced.segment,
              requestedBy,
              JSON.stringify(priced.priceBook),
              view ? JSON.stringify(view) : null,
              priced.subtotalMinor,
              priced.discountMinor,
              priced.totalMinor,
              at,
              expiresAt,
            ],
          );
          const quote = rows[0]!;
          await client.query(
            `INSERT INTO quote_lines (quote_id, line_no, region, sku, category, quantity, base_unit_price_minor,
               list_unit_price_minor, unit_discount_minor, unit_price_minor, line_total_minor,
               line_discount_minor, rules_applied)
             SELECT $1, l.line_no, $2, l.sku, l.category, l.quantity, l.base, l.list, l.unit_discount, l.unit,
               l.total, l.discount, l.rules
             FROM jsonb_to_recordset($3::jsonb) AS l(line_no int, sku text, category text, quantity int,
               base bigint, list bigint, unit_discount bigint, unit bigint, total bigint, discount bigint,
               rules jsonb)`,
            [
              quote.id,
              priced.region,
              JSON.stringify(
                priced.lines.map((l, i) => ({
                  line_no: i,
                  sku: l.sku,
                  category: l.category,
                  quantity: l.quantity,
                  base: l.baseUnitPriceMinor,
                  list: l.listUnitPriceMinor,
                  unit_discount: l.unitDiscountMinor,
                  unit: l.unitPriceMinor,
                  total: l.lineTotalMinor,
                  discount: l.lineDiscountMinor,
                  rules: { rulesApplied: l.rulesApplied, rulesNotApplied: l.rulesNotApplied },
                })),
              ),
            ],
          );
          return toQuote(quote, priced.lines);
        },
        'REPEATABLE READ',
      );
    },

    async get(id: string): Promise<StoredQuote | undefined> {
      const { rows } = await pool.query('SELECT * FROM quotes WHERE id = $1', [id]);
      if (!rows[0]) return undefined;
      const { rows: lines } = await pool.query(
        'SELECT * FROM quote_lines WHERE quote_id = $1 ORDER BY line_no',
        [id],
      );
      return toQuote(rows[0], lines.map(toLine));
    },
  };
}

export type QuoteRepository = ReturnType<typeof createQuoteRepository>;

declare module 'fastify' {
  interface FastifyInstance {
    quotes: QuoteRepository;
  }
}

export const quoteRepositoryPlugin = fp(
  async (app: FastifyInstance, settings: QuoteSettings) => {
    app.decorate(
      'quotes',
      createQuoteRepository(
        app.pg,
        { priceBooks: app.priceBooks, rules: app.rules, rates: app.rates },
        settings,
      ),
    );
  },
  {
    name: 'quote-repository',
    dependencies: ['kit-postgres', 'price-book-repository', 'rule-repository', 'rate-repository'],
  },
);
