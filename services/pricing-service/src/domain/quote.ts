// Pricing a list of lines: choose the price book, convert its base prices when the quote is in another
// currency, run the rules per line, and total it all — exactly, in integer minor units.
import type { Region } from '@shop/common';
import { fail } from '../errors.js';
import type { Currency } from './money.js';
import { type Conversion, convertMinor } from './rates.js';
import { chooseRule, type PriceRule, type RuleNotApplied, type RuleOutcome, type Segment } from './rules.js';

export interface PriceBookRef {
  id: string;
  name: string;
  region: Region;
  currency: Currency;
  isDefault: boolean;
}

/**
 * The book a quote is priced from: the region's book in the quote's currency if there is one, otherwise
 * the region's default book (whose prices are then converted). Prices are never mixed across books.
 */
export function chooseBook(books: readonly PriceBookRef[], region: Region, currency: Currency): PriceBookRef {
  const inRegion = books.filter((b) => b.region === region);
  const sameCurrency = inRegion.find((b) => b.currency === currency);
  if (sameCurrency) return sameCurrency;
  const fallback = inRegion.find((b) => b.isDefault);
  if (fallback) return fallback;
  throw fail('NO_PRICE_BOOK', `no price book in ${region} for ${currency} and no default book there`, {
    region,
    currency,
  });
}

export interface QuoteLineInput {
  sku: string;
  /** The caller's category, used only when the price book has none for the SKU. */
  category?: string | undefined;
  quantity: number;
}

export interface BookPrice {
  sku: string;
  amountMinor: number;
  category: string | null;
}

export interface QuoteInput {
  region: Region;
  currency: Currency;
  customerId: string | null;
  segment: Segment | undefined;
  lines: QuoteLineInput[];
}

export interface PricedLine {
  sku: string;
  category: string | null;
  quantity: number;
  /** The base price in the price book's currency. */
  baseUnitPriceMinor: number;
  /** The base price in the quote's currency (converted, half-even), before any rule. */
  listUnitPriceMinor: number;
  unitDiscountMinor: number;
  unitPriceMinor: number;
  /** unitPriceMinor × quantity: exact, so a line total is always a whole number of units. */
  lineTotalMinor: number;
  lineDiscountMinor: number;
  /** The rule that priced the line (at most one: discounts do not stack), as a list for readers. */
  rulesApplied: RuleOutcome[];
  /** Eligible rules that lost to it, nearest first (at most MAX_NOT_APPLIED), with the reason. */
  rulesNotApplied: RuleNotApplied[];
}

export interface PricedQuote {
  region: Region;
  currency: Currency;
  customerId: string | null;
  segment: string | null;
  priceBook: { id: string; name: string; currency: Currency };
  conversion: Conversion | null;
  pricedAt: Date;
  lines: PricedLine[];
  subtotalMinor: number;
  discountMinor: number;
  totalMinor: number;
}

/** A BigInt that must fit a JavaScript number exactly; absurd rates or prices fail the quote, not the process. */
function exact(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < 0n) {
    throw fail('QUOTE_TOO_LARGE', `${what} leaves the range of exact integer amounts`);
  }
  return Number(value);
}

/** Throws DUPLICATE_SKU naming the line when a SKU appears twice: one SKU, one line, one price. */
export function assertDistinctSkus(lines: readonly QuoteLineInput[]): void {
  const seen = new Map<string, number>();
  lines.forEach((line, i) => {
    const first = seen.get(line.sku);
    if (first !== undefined) {
      throw fail('DUPLICATE_SKU', `${line.sku} appears on lines ${first} and ${i}; send one line per SKU`, {
        field: `body.lines.${i}.sku`,
      });
    }
    seen.set(line.sku, i);
  });
}

/**
 * Prices every line of `input` from `book`'s prices (by SKU) with `rules`, converting with `conversion`
 * when the book's currency is not the quote's. A SKU without a base price fails the whole quote with
 * PRICE_NOT_FOUND naming every such SKU: a quote is complete or it is not given.
 */
export function priceQuote(args: {
  input: QuoteInput;
  book: PriceBookRef;
  prices: ReadonlyMap<string, BookPrice>;
  rules: readonly PriceRule[];
  conversion: Conversion | null;
  regions: readonly Region[];
  at: Date;
}): PricedQuote {
  const { input, book, prices, rules, conversion, regions, at } = args;
  assertDistinctSkus(input.lines);
  if ((conversion === null) !== (book.currency === input.currency)) {
    throw new Error('a conversion is needed exactly when the book currency differs from the quote currency');
  }
  const missing = input.lines.map((line, i) => ({ sku: line.sku, i })).filter(({ sku }) => !prices.has(sku));
  if (missing.length > 0) {
    const skus = missing.map((m) => m.sku);
    throw fail(
      'SKU_NOT_PRICED',
      `no base price in ${book.name} (${book.region}, ${book.currency}) for ${skus.join(', ')}`,
      {
        skus,
        field: `body.lines.${missing[0]!.i}.sku`,
        fields: missing.map((m) => `body.lines.${m.i}.sku`),
      },
    );
  }

  let subtotal = 0n;
  let total = 0n;
  const lines = input.lines.map((line): PricedLine => {
    const price = prices.get(line.sku)!;
    const base = BigInt(price.amountMinor);
    const list = conversion ? convertMinor(base, conversion) : base;
    const category = price.category ?? line.category ?? null;
    const { unitPriceMinor, applied, notApplied } = chooseRule(
      list,
      {
        sku: line.sku,
        category,
        quantity: line.quantity,
        region: input.region,
        currency: input.currency,
        segment: input.segment,
        at,
      },
      rules,
      regions,
    );
    const quantity = BigInt(line.quantity);
    const lineTotal = unitPriceMinor * quantity;
    const lineList = list * quantity;
    subtotal += lineList;
    total += lineTotal;
    return {
      sku: line.sku,
      category,
      quantity: line.quantity,
      baseUnitPriceMinor: price.amountMinor,
      listUnitPriceMinor: exact(list, 'a converted price'),
      unitDiscountMinor: exact(list - unitPriceMinor, 'a discount'),
      unitPriceMinor: exact(unitPriceMinor, 'a unit price'),
      lineTotalMinor: exact(lineTotal, 'a line total'),
      lineDiscountMinor: exact(lineList - lineTotal, 'a line discount'),
      rulesApplied: applied ? [applied] : [],
      rulesNotApplied: notApplied,
    };
  });

  return {
    region: input.region,
    currency: input.currency,
    customerId: input.customerId,
    segment: input.segment?.key ?? null,
    priceBook: { id: book.id, name: book.name, currency: book.currency },
    conversion,
    pricedAt: at,
    lines,
    subtotalMinor: exact(subtotal, 'the quote subtotal'),
    discountMinor: exact(subtotal - total, 'the quote discount'),
    totalMinor: exact(total, 'the quote total'),
  };
}
