// Currency rates: what a rates document is, a deterministic generator for development, and conversion of
// minor units between currencies through the reference currency.
import { z } from 'zod';
import {
  type Currency,
  currencies,
  currencyExponents,
  type Decimal,
  divRoundHalfEven,
  formatDecimal,
  parseDecimal,
  ratioToDecimalString,
} from './money.js';

/**
 * Every rate is stored as "units of a currency per one EUR", as central banks publish them. Any pair is
 * then exact: USD→INR is (EUR→INR) / (EUR→USD), with no rounded intermediate rate.
 */
export const RATE_BASE: Extract<Currency, 'EUR'> = 'EUR';

const rateValue = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const text = typeof v === 'number' ? String(v) : v;
  const parsed = parseDecimal(text);
  if (!parsed || parsed.units === 0n) {
    ctx.addIssue({
      code: 'custom',
      message: 'a positive decimal with at most 12 digits before and after the point',
    });
    return z.NEVER;
  }
  return parsed;
});

/** One published set of rates: `{ base: "EUR", asOf, source?, rates: { USD: "1.0834", ... } }`. */
export const RatesDocument = z.strictObject({
  base: z.literal(RATE_BASE, { error: `rates are stored against ${RATE_BASE}` }),
  asOf: z.iso.datetime({ offset: true }).transform((v) => new Date(v)),
  source: z.string().trim().min(1).max(100).default('manual'),
  rates: z
    .partialRecord(z.enum(currencies.filter((c) => c !== RATE_BASE) as [Currency, ...Currency[]]), rateValue)
    .refine((r) => Object.keys(r).length > 0, 'at least one rate'),
});

export type RatesDocument = z.output<typeof RatesDocument>;

/**
 * A rates file holds one document or a list of them. Parsed one by one (not as a zod union) so that a
 * problem is named by its path, `rates.USD` or `1.asOf`, rather than "matches neither".
 */
export function parseRatesFile(json: unknown): { documents: RatesDocument[] } | { issues: string[] } {
  const list = Array.isArray(json) ? json : [json];
  if (list.length === 0 || list.length > 1000) return { issues: ['(root): 1 to 1000 documents'] };
  const documents: RatesDocument[] = [];
  const issues: string[] = [];
  list.forEach((item, i) => {
    const parsed = RatesDocument.safeParse(item);
    if (parsed.success) documents.push(parsed.data);
    else {
      const prefix = Array.isArray(json) ? [i] : [];
      for (const issue of parsed.error.issues)
        issues.push(`${[...prefix, ...issue.path].join('.') || '(root)'}: ${issue.message}`);
    }
  });
  return issues.length ? { issues } : { documents };
}

/** One stored rate: `rate` units of `currency` per one unit of the base currency, as of an instant. */
export interface StoredRate {
  currency: Currency;
  rate: Decimal;
  asOf: Date;
  source: string;
}

// Rough mid-market levels per EUR; the generator moves each by up to ±2 %. Development data, not advice.
const midpoints: Record<Exclude<Currency, 'EUR'>, number> = {
  USD: 1.08,
  GBP: 0.85,
  CHF: 0.95,
  INR: 90,
  SGD: 1.45,
  AUD: 1.65,
  JPY: 165,
  KWD: 0.33,
};

/** mulberry32: tiny, seedable, the same sequence on every machine and Node version. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A rates document whose rates depend only on `seed` (six decimals each), stamped `asOf`. */
export function generateRates(seed: number, asOf: Date): RatesDocument {
  const random = prng(seed);
  const rates = {} as Record<Currency, Decimal>;
  for (const [currency, mid] of Object.entries(midpoints) as [Currency, number][]) {
    const micro = Math.round(mid * (1 + (random() - 0.5) * 0.04) * 1_000_000);
    rates[currency] = { units: BigInt(micro), scale: 6 };
  }
  return { base: RATE_BASE, asOf, source: `generated:seed=${seed}`, rates };
}

/** The document as JSON-ready data (rates as decimal strings), e.g. to write a rates file. */
export function ratesDocumentJson(doc: RatesDocument): Record<string, unknown> {
  return {
    base: doc.base,
    asOf: doc.asOf.toISOString(),
    source: doc.source,
    rates: Object.fromEntries(Object.entries(doc.rates).map(([c, r]) => [c, formatDecimal(r as Decimal)])),
  };
}

/** How a quote's prices went from the price book's currency to the quote's: the legs and the result. */
export interface Conversion {
  from: Currency;
  to: Currency;
  /** The rate used, units of `to` per unit of `from` (display, 10 decimals; the arithmetic is exact). */
  rate: string;
  /** The older of the legs' instants: the conversion is only as recent as its oldest input. */
  asOf: Date;
  legs: { base: Currency; currency: Currency; rate: string; asOf: Date; source: string }[];
  // The exact fraction `to` minor units per `from` minor unit, kept for the arithmetic.
  numerator: bigint;
  denominator: bigint;
}

/**
 * The conversion from `from` to `to` given the newest stored rate of each non-base currency involved;
 * undefined when a needed rate is missing.
 */
export function conversionFor(
  from: Currency,
  to: Currency,
  newest: (currency: Currency) => StoredRate | undefined,
): Conversion | undefined {
  const legs: StoredRate[] = [];
  const leg = (currency: Currency): Decimal | undefined => {
    if (currency === RATE_BASE) return { units: 1n, scale: 0 };
    const stored = newest(currency);
    if (!stored) return undefined;
    legs.push(stored);
    return stored.rate;
  };
  const fromRate = leg(from);
  const toRate = leg(to);
  if (!fromRate || !toRate) return undefined;
  // to_minor = from_minor / 10^expFrom × (toRate / fromRate) × 10^expTo, with rate = units / 10^scale.
  const numerator = toRate.units * 10n ** BigInt(fromRate.scale + currencyExponents[to]);
  const denominator = fromRate.units * 10n ** BigInt(toRate.scale + currencyExponents[from]);
  const majorNumerator = toRate.units * 10n ** BigInt(fromRate.scale);
  const majorDenominator = fromRate.units * 10n ** BigInt(toRate.scale);
  return {
    from,
    to,
    rate: ratioToDecimalString(majorNumerator, majorDenominator),
    asOf: new Date(Math.min(...legs.map((l) => l.asOf.getTime()))),
    legs: legs.map((l) => ({
      base: RATE_BASE,
      currency: l.currency,
      rate: formatDecimal(l.rate),
      asOf: l.asOf,
      source: l.source,
    })),
    numerator,
    denominator,
  };
}

/** An amount in minor units of `conversion.from`, in minor units of `conversion.to`, rounded half-even. */
export function convertMinor(amountMinor: bigint, conversion: Conversion): bigint {
  return divRoundHalfEven(amountMinor * conversion.numerator, conversion.denominator);
}

/** Whether the conversion's oldest leg is older than `maxAgeHours` (0 = any age is accepted). */
export function isStale(conversion: Conversion, now: Date, maxAgeHours: number): boolean {
  if (maxAgeHours <= 0) return false;
  return now.getTime() - conversion.asOf.getTime() > maxAgeHours * 3_600_000;
}
