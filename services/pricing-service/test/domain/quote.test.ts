import { DomainError, regions } from '@shop/common';
import { describe, expect, it } from 'vitest';
import { parseDecimal } from '../../src/domain/money.js';
import {
  type BookPrice,
  chooseBook,
  type PriceBookRef,
  priceQuote,
  type QuoteInput,
} from '../../src/domain/quote.js';
import { conversionFor } from '../../src/domain/rates.js';
import type { PriceRule } from '../../src/domain/rules.js';

const at = new Date('2025-06-15T12:00:00Z');
const eurBook: PriceBookRef = {
  id: 'book-eu',
  name: 'EU',
  region: 'eu-west',
  currency: 'EUR',
  isDefault: true,
};

function prices(...entries: [string, number, string | null][]): Map<string, BookPrice> {
  return new Map(entries.map(([sku, amountMinor, category]) => [sku, { sku, amountMinor, category }]));
}

function tenPercentOn(match: PriceRule['match']): PriceRule {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    name: 'ten off',
    description: null,
    region: 'eu-west',
    enabled: true,
    priority: 0,
    match,
    type: 'percent_off',
    percentOffBp: 1000,
    amountMinor: null,
    currency: null,
    minQuantity: 1,
    validFrom: null,
    validTo: null,
    version: 3,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
  };
}

function input(lines: QuoteInput['lines'], overrides: Partial<QuoteInput> = {}): QuoteInput {
  return { region: 'eu-west', currency: 'EUR', customerId: null, segment: undefined, lines, ...overrides };
}

function failure(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a DomainError');
}

describe('chooseBook', () => {
  const usdBook: PriceBookRef = { ...eurBook, id: 'book-eu-usd', currency: 'USD', isDefault: false };
  const usBook: PriceBookRef = { ...eurBook, id: 'book-us', region: 'us-east', currency: 'USD' };

  it("takes the region's book in the quote's currency, else the region's default book", () => {
    expect(chooseBook([eurBook, usdBook, usBook], 'eu-west', 'USD').id).toBe('book-eu-usd');
    expect(chooseBook([eurBook, usdBook, usBook], 'eu-west', 'GBP').id).toBe('book-eu');
    expect(chooseBook([eurBook, usdBook, usBook], 'us-east', 'USD').id).toBe('book-us');
  });

  it('answers NO_PRICE_BOOK when the region has neither', () => {
    expect(failure(() => chooseBook([usBook], 'ap-south', 'INR')).code).toBe('NO_PRICE_BOOK');
    expect(failure(() => chooseBook([{ ...usdBook }], 'eu-west', 'GBP')).code).toBe('NO_PRICE_BOOK');
  });
});

describe('priceQuote', () => {
  it('prices per unit and multiplies: the line total is always unit price × quantity', () => {
    // 10 % of 999 is 99.9, rounded half-even to 100 per unit: 3 × 899 = 2697 (not 2697.3 rounded once).
    const quote = priceQuote({
      input: input([
        { sku: 'SKU-1', quantity: 3 },
        { sku: 'SKU-2', quantity: 2 },
      ]),
      book: eurBook,
      prices: prices(['SKU-1', 999, 'shoes'], ['SKU-2', 1500, null]),
      rules: [tenPercentOn({ sku: 'SKU-1', category: null, segment: null })],
      conversion: null,
      regions,
      at,
    });
    expect(quote.lines[0]).toMatchObject({
      sku: 'SKU-1',
      category: 'shoes',
      baseUnitPriceMinor: 999,
      listUnitPriceMinor: 999,
      unitDiscountMinor: 100,
      unitPriceMinor: 899,
      lineTotalMinor: 2697,
      lineDiscountMinor: 300,
    });
    expect(quote.lines[0]!.rulesApplied).toEqual([
      expect.objectContaining({ id: '00000000-0000-4000-8000-000000000001', name: 'ten off', version: 3 }),
    ]);
    expect(quote.lines[1]).toMatchObject({ unitPriceMinor: 1500, lineTotalMinor: 3000, rulesApplied: [] });
    expect(quote).toMatchObject({
      subtotalMinor: 5997,
      discountMinor: 300,
      totalMinor: 5697,
      conversion: null,
    });
    expect(quote.priceBook).toEqual({ id: 'book-eu', name: 'EU', currency: 'EUR' });
  });

  it("uses the price book's category, and the caller's only when the book has none", () => {
    const rules = [tenPercentOn({ sku: null, category: 'sale', segment: null })];
    const quote = priceQuote({
      input: input([
        { sku: 'SKU-1', quantity: 1, category: 'sale' },
        { sku: 'SKU-2', quantity: 1, category: 'sale' },
      ]),
      book: eurBook,
      prices: prices(['SKU-1', 1000, 'shoes'], ['SKU-2', 1000, null]),
      rules,
      conversion: null,
      regions,
      at,
    });
    expect(quote.lines.map((l) => [l.category, l.unitPriceMinor])).toEqual([
      ['shoes', 1000],
      ['sale', 900],
    ]);
  });

  it('converts the base price first (half-even), then applies rules in the quote currency', () => {
    const conversion = conversionFor('EUR', 'USD', () => ({
      currency: 'USD',
      rate: parseDecimal('1.0834')!,
      asOf: new Date('2025-06-15T00:00:00Z'),
      source: 'test',
    }))!;
    const quote = priceQuote({
      input: input([{ sku: 'SKU-1', quantity: 2 }], { currency: 'USD' }),
      book: eurBook,
      prices: prices(['SKU-1', 999, null]),
      rules: [tenPercentOn({ sku: 'SKU-1', category: null, segment: null })],
      conversion,
      regions,
      at,
    });
    // 999 × 1.0834 = 1082.3166 → 1082; 10 % = 108.2 → 108; 974 per unit.
    expect(quote.lines[0]).toMatchObject({
      baseUnitPriceMinor: 999,
      listUnitPriceMinor: 1082,
      unitPriceMinor: 974,
    });
    expect(quote.totalMinor).toBe(1948);
    expect(quote.conversion?.rate).toBe('1.0834');
  });

  it('answers SKU_NOT_PRICED naming every SKU without a base price, and prices nothing', () => {
    const error = failure(() =>
      priceQuote({
        input: input([
          { sku: 'SKU-1', quantity: 1 },
          { sku: 'NOPE-1', quantity: 1 },
          { sku: 'NOPE-2', quantity: 1 },
        ]),
        book: eurBook,
        prices: prices(['SKU-1', 100, null]),
        rules: [],
        conversion: null,
        regions,
        at,
      }),
    );
    expect(error.code).toBe('SKU_NOT_PRICED');
    expect(error.message).toContain('NOPE-1, NOPE-2');
    expect(error.details).toMatchObject({
      skus: ['NOPE-1', 'NOPE-2'],
      field: 'body.lines.1.sku',
      fields: ['body.lines.1.sku', 'body.lines.2.sku'],
    });
  });

  it('answers DUPLICATE_SKU naming the second line of a SKU', () => {
    const error = failure(() =>
      priceQuote({
        input: input([
          { sku: 'SKU-1', quantity: 1 },
          { sku: 'SKU-1', quantity: 2 },
        ]),
        book: eurBook,
        prices: prices(['SKU-1', 100, null]),
        rules: [],
        conversion: null,
        regions,
        at,
      }),
    );
    expect(error.code).toBe('DUPLICATE_SKU');
    expect(error.details).toEqual({ field: 'body.lines.1.sku' });
  });

  it('answers QUOTE_TOO_LARGE instead of a rounded total when amounts leave the exact range', () => {
    const absurd = conversionFor('EUR', 'INR', () => ({
      currency: 'INR',
      rate: parseDecimal('999999999999')!,
      asOf: at,
      source: 'test',
    }))!;
    const error = failure(() =>
      priceQuote({
        input: input([{ sku: 'SKU-1', quantity: 10_000 }], { currency: 'INR' }),
        book: eurBook,
        prices: prices(['SKU-1', 1_000_000_000, null]),
        rules: [],
        conversion: absurd,
        regions,
        at,
      }),
    );
    expect(error.code).toBe('QUOTE_TOO_LARGE');
  });
});
