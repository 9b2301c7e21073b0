import { describe, expect, it } from 'vitest';
import type { Currency } from '../../src/domain/money.js';
import { parseDecimal } from '../../src/domain/money.js';
import {
  conversionFor,
  convertMinor,
  generateRates,
  isStale,
  parseRatesFile,
  RatesDocument,
  type StoredRate,
} from '../../src/domain/rates.js';

const asOf = new Date('2025-06-01T00:00:00Z');

function table(rates: Partial<Record<Currency, string>>, at: Partial<Record<Currency, Date>> = {}) {
  return (currency: Currency): StoredRate | undefined => {
    const text = rates[currency];
    if (text === undefined) return undefined;
    return { currency, rate: parseDecimal(text)!, asOf: at[currency] ?? asOf, source: 'test' };
  };
}

describe('RatesDocument', () => {
  it('reads rates given as strings or numbers, against EUR', () => {
    const doc = RatesDocument.parse({
      base: 'EUR',
      asOf: '2025-06-01T00:00:00Z',
      rates: { USD: '1.0834', INR: 90.5 },
    });
    expect(doc.rates.USD).toEqual({ units: 10834n, scale: 4 });
    expect(doc.rates.INR).toEqual({ units: 905n, scale: 1 });
    expect(doc.source).toBe('manual');
    expect(doc.asOf.toISOString()).toBe('2025-06-01T00:00:00.000Z');
  });

  it('refuses another base, an unknown currency, a zero or negative rate, no rates, and unknown fields', () => {
    const ok = { base: 'EUR', asOf: '2025-06-01T00:00:00Z', rates: { USD: '1.08' } };
    const bad = [
      { ...ok, base: 'USD' },
      { ...ok, rates: { XYZ: '1' } },
      { ...ok, rates: { USD: '0' } },
      { ...ok, rates: { USD: '-1.2' } },
      { ...ok, rates: { USD: 'abc' } },
      { ...ok, rates: {} },
      { ...ok, asOf: 'yesterday' },
      { ...ok, extra: true },
    ];
    for (const doc of bad) expect(RatesDocument.safeParse(doc).success, JSON.stringify(doc)).toBe(false);
  });

  it('takes one document or a list, naming a bad field by its path', () => {
    const doc = { base: 'EUR', asOf: '2025-06-01T00:00:00Z', rates: { USD: '1.08' } };
    expect(parseRatesFile(doc)).toMatchObject({ documents: [{ base: 'EUR' }] });
    expect(parseRatesFile([doc, doc])).toMatchObject({ documents: [{}, {}] });
    expect(parseRatesFile([])).toEqual({ issues: ['(root): 1 to 1000 documents'] });
    expect(parseRatesFile({ ...doc, rates: { USD: 'x' } })).toEqual({
      issues: ['rates.USD: a positive decimal with at most 12 digits before and after the point'],
    });
    const second = parseRatesFile([doc, { ...doc, asOf: 'now' }]);
    expect('issues' in second && second.issues[0]).toMatch(/^1\.asOf: /);
  });
});

describe('generateRates', () => {
  it('gives the same rates for the same seed, other rates for another, near real levels', () => {
    const a = generateRates(42, asOf);
    const b = generateRates(42, new Date('2030-01-01T00:00:00Z'));
    const c = generateRates(43, asOf);
    expect(a.rates).toEqual(b.rates);
    expect(a.rates).not.toEqual(c.rates);
    expect(a.source).toBe('generated:seed=42');
    const usd = Number(a.rates.USD!.units) / 1e6;
    expect(usd).toBeGreaterThan(1.08 * 0.98);
    expect(usd).toBeLessThan(1.08 * 1.02);
    expect(Object.keys(a.rates).sort()).toEqual(['AUD', 'CHF', 'GBP', 'INR', 'JPY', 'KWD', 'SGD', 'USD']);
  });
});

describe('conversion', () => {
  it('converts from the base at the stored rate, half-even on the minor unit', () => {
    const conversion = conversionFor('EUR', 'USD', table({ USD: '1.01' }))!;
    expect(conversion.rate).toBe('1.01');
    expect(convertMinor(1000n, conversion)).toBe(1010n);
    // 50 × 1.01 = 50.5 → 50 (even); 150 × 1.01 = 151.5 → 152 (even).
    expect(convertMinor(50n, conversion)).toBe(50n);
    expect(convertMinor(150n, conversion)).toBe(152n);
    expect(conversion.legs).toEqual([{ base: 'EUR', currency: 'USD', rate: '1.01', asOf, source: 'test' }]);
  });

  it('converts into the base by the inverse rate, exactly', () => {
    const conversion = conversionFor('USD', 'EUR', table({ USD: '1.25' }))!;
    expect(conversion.rate).toBe('0.8');
    expect(convertMinor(1000n, conversion)).toBe(800n);
  });

  it('crosses two currencies through the base without a rounded intermediate rate', () => {
    const older = new Date('2025-05-31T00:00:00Z');
    const conversion = conversionFor('USD', 'INR', table({ USD: '1.08', INR: '90' }, { USD: older }))!;
    // 90 / 1.08 = 83.3333…: 10.00 USD = 833.33 INR (833.333… rounds down).
    expect(convertMinor(1000n, conversion)).toBe(83333n);
    expect(conversion.rate).toBe('83.3333333333');
    expect(conversion.asOf).toEqual(older);
    expect(conversion.legs.map((l) => l.currency)).toEqual(['USD', 'INR']);
  });

  it('minds the minor-unit exponents (JPY has none, KWD three)', () => {
    expect(convertMinor(1000n, conversionFor('EUR', 'JPY', table({ JPY: '165.5' }))!)).toBe(1655n);
    expect(convertMinor(1655n, conversionFor('JPY', 'EUR', table({ JPY: '165.5' }))!)).toBe(1000n);
    // 100 JPY = 100 / 160 × 0.32 KWD = 0.2 KWD = 200 fils.
    expect(convertMinor(100n, conversionFor('JPY', 'KWD', table({ JPY: '160', KWD: '0.32' }))!)).toBe(200n);
  });

  it('is undefined when a needed rate is missing', () => {
    expect(conversionFor('EUR', 'USD', table({}))).toBeUndefined();
    expect(conversionFor('USD', 'INR', table({ USD: '1.08' }))).toBeUndefined();
  });

  it('is stale only when its oldest leg is older than the limit, and never with no limit', () => {
    const conversion = conversionFor('EUR', 'USD', table({ USD: '1.08' }))!;
    const later = new Date(asOf.getTime() + 25 * 3_600_000);
    expect(isStale(conversion, later, 24)).toBe(true);
    expect(isStale(conversion, later, 48)).toBe(false);
    expect(isStale(conversion, later, 0)).toBe(false);
  });
});
