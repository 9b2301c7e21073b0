import { DomainError, regions } from '@shop/common';
import { describe, expect, it } from 'vitest';
import {
  checkRule,
  chooseRule,
  type LineContext,
  type PriceRule,
  parseSegment,
  type RuleDefinition,
  rulesConflict,
  segmentMatches,
  windowsOverlap,
} from '../../src/domain/rules.js';

let sequence = 0;
/** A rule with sensible defaults; created one second apart so creation order is the call order. */
function rule(overrides: Partial<PriceRule> = {}): PriceRule {
  sequence += 1;
  return {
    id: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    name: `rule ${sequence}`,
    description: null,
    region: 'eu-west',
    enabled: true,
    priority: 0,
    match: { sku: 'SKU-1', category: null, segment: null },
    type: 'percent_off',
    percentOffBp: 1000,
    amountMinor: null,
    currency: null,
    minQuantity: 1,
    validFrom: null,
    validTo: null,
    version: 1,
    createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, sequence)).toISOString(),
    updatedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, sequence)).toISOString(),
    ...overrides,
  };
}

const at = new Date('2025-06-15T12:00:00Z');
function line(overrides: Partial<LineContext> = {}): LineContext {
  return {
    sku: 'SKU-1',
    category: 'shoes',
    quantity: 1,
    region: 'eu-west',
    currency: 'EUR',
    segment: undefined,
    at,
    ...overrides,
  };
}

function choose(list: number, rules: PriceRule[], context: Partial<LineContext> = {}) {
  const result = chooseRule(BigInt(list), line(context), rules, regions);
  return { ...result, unitPriceMinor: Number(result.unitPriceMinor) };
}

function codeOf(fn: () => unknown): { code: string; details: unknown } | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return { code: err.code, details: err.details };
    throw err;
  }
  return undefined;
}

describe('segments', () => {
  it('reads a full key or a tier alone, and nothing else', () => {
    expect(parseSegment('eu-west/gold/active', regions)).toMatchObject({ kind: 'key', tier: 'gold' });
    expect(parseSegment('gold', regions)).toMatchObject({ kind: 'tier', tier: 'gold' });
    for (const bad of ['platinum', 'eu-west/gold', 'mars/gold/active', 'eu-west/gold/asleep', '']) {
      expect(parseSegment(bad, regions), bad).toBeUndefined();
    }
  });

  it('matches a tier rule to any segment of the tier, a key rule only to that key', () => {
    const key = parseSegment('eu-west/gold/active', regions)!;
    const tier = parseSegment('gold', regions)!;
    expect(segmentMatches(tier, key)).toBe(true);
    expect(segmentMatches(tier, tier)).toBe(true);
    expect(segmentMatches(tier, parseSegment('silver', regions))).toBe(false);
    expect(segmentMatches(key, key)).toBe(true);
    expect(segmentMatches(key, tier)).toBe(false);
    expect(segmentMatches(key, parseSegment('eu-west/gold/lapsing', regions))).toBe(false);
    expect(segmentMatches(tier, undefined)).toBe(false);
  });
});

describe('checkRule', () => {
  const base: RuleDefinition = rule();

  it('accepts a well-formed rule', () => {
    expect(codeOf(() => checkRule(base, regions))).toBeUndefined();
  });

  it('answers INVALID_TIME_WINDOW naming validTo for an inverted or empty window', () => {
    for (const validTo of ['2025-06-01T00:00:00.000Z', '2025-06-02T00:00:00.000Z']) {
      const error = codeOf(() =>
        checkRule({ ...base, validFrom: '2025-06-02T00:00:00.000Z', validTo }, regions),
      );
      expect(error).toEqual({
        code: 'INVALID_TIME_WINDOW',
        details: { field: 'body.validTo' },
      });
    }
  });

  it('answers INVALID_RULE for a rule without a target, a bad segment, or a segment of another region', () => {
    expect(
      codeOf(() => checkRule({ ...base, match: { sku: null, category: null, segment: null } }, regions))
        ?.code,
    ).toBe('INVALID_RULE');
    expect(
      codeOf(() => checkRule({ ...base, match: { sku: null, category: null, segment: 'platinum' } }, regions))
        ?.code,
    ).toBe('INVALID_RULE');
    const otherRegion = codeOf(() =>
      checkRule({ ...base, match: { sku: null, category: null, segment: 'us-east/gold/active' } }, regions),
    );
    expect(otherRegion?.code).toBe('INVALID_RULE');
    expect(JSON.stringify(otherRegion?.details)).toContain('body.match.segment');
  });

  it('answers INVALID_RULE when the effect does not fit the type', () => {
    expect(codeOf(() => checkRule({ ...base, percentOffBp: null }, regions))?.code).toBe('INVALID_RULE');
    expect(codeOf(() => checkRule({ ...base, amountMinor: 100 }, regions))?.code).toBe('INVALID_RULE');
    const noCurrency = codeOf(() =>
      checkRule(
        { ...base, type: 'amount_off', percentOffBp: null, amountMinor: 100, currency: null },
        regions,
      ),
    );
    expect(noCurrency?.code).toBe('INVALID_RULE');
    expect(JSON.stringify(noCurrency?.details)).toContain('body.currency');
    expect(
      codeOf(() =>
        checkRule(
          { ...base, type: 'fixed_price', percentOffBp: null, amountMinor: 999, currency: 'EUR' },
          regions,
        ),
      ),
    ).toBeUndefined();
  });
});

describe('windows and conflicts', () => {
  it('treats windows as half-open, so one ending where the next begins does not overlap', () => {
    const june = { validFrom: '2025-06-01T00:00:00Z', validTo: '2025-07-01T00:00:00Z' };
    const july = { validFrom: '2025-07-01T00:00:00Z', validTo: '2025-08-01T00:00:00Z' };
    expect(windowsOverlap(june, july)).toBe(false);
    expect(windowsOverlap(june, { validFrom: '2025-06-30T23:59:59Z', validTo: null })).toBe(true);
    expect(windowsOverlap({ validFrom: null, validTo: null }, july)).toBe(true);
  });

  it('finds a conflict only for the same target, quantity break and priority in overlapping windows', () => {
    const a = rule({ validFrom: '2025-06-01T00:00:00Z', validTo: '2025-07-01T00:00:00Z' });
    const overlapping = rule({ validFrom: '2025-06-15T00:00:00Z', validTo: null, percentOffBp: 2000 });
    expect(rulesConflict(a, overlapping)).toBe(true);
    expect(rulesConflict(a, { ...overlapping, priority: 1 })).toBe(false);
    expect(rulesConflict(a, { ...overlapping, minQuantity: 10 })).toBe(false);
    expect(rulesConflict(a, { ...overlapping, match: { ...a.match, segment: 'gold' } })).toBe(false);
    expect(rulesConflict(a, { ...overlapping, enabled: false })).toBe(false);
    expect(rulesConflict(a, { ...overlapping, validFrom: '2025-07-01T00:00:00Z' })).toBe(false);
    expect(rulesConflict(a, { ...overlapping, region: 'us-east' })).toBe(false);
    // Amounts in two currencies never meet on one quote; a percentage for any currency meets both.
    const eur = {
      ...a,
      type: 'amount_off' as const,
      percentOffBp: null,
      amountMinor: 100,
      currency: 'EUR' as const,
    };
    expect(rulesConflict(eur, { ...eur, currency: 'USD' })).toBe(false);
    expect(rulesConflict(eur, a)).toBe(true);
  });
});

describe('chooseRule', () => {
  it('takes a percentage of the price, the discount rounded half-even to the minor unit', () => {
    expect(choose(999, [rule({ percentOffBp: 1000 })]).unitPriceMinor).toBe(899); // 99.9 off → 100
    expect(choose(250, [rule({ percentOffBp: 500 })]).unitPriceMinor).toBe(238); // 12.5 off → 12
    expect(choose(750, [rule({ percentOffBp: 500 })]).unitPriceMinor).toBe(712); // 37.5 off → 38
    expect(choose(1000, [rule({ percentOffBp: 10_000 })]).unitPriceMinor).toBe(0);
  });

  it('takes an amount off down to zero, and a fixed price only when it is lower', () => {
    const amountOff = { type: 'amount_off' as const, percentOffBp: null, currency: 'EUR' as const };
    expect(choose(1000, [rule({ ...amountOff, amountMinor: 250 })]).unitPriceMinor).toBe(750);
    expect(choose(200, [rule({ ...amountOff, amountMinor: 250 })]).unitPriceMinor).toBe(0);
    const fixed = { type: 'fixed_price' as const, percentOffBp: null, currency: 'EUR' as const };
    expect(choose(1000, [rule({ ...fixed, amountMinor: 799 })]).unitPriceMinor).toBe(799);
    const above = choose(500, [rule({ ...fixed, amountMinor: 799 })]);
    expect(above.unitPriceMinor).toBe(500);
    expect(above.applied).toBeNull();
  });

  it('explains the rule that applied and the ones that lost, with the reason', () => {
    const winner = rule({ priority: 10, percentOffBp: 500, name: 'members' });
    const lower = rule({ priority: 0, percentOffBp: 3000 });
    const smaller = rule({
      priority: 10,
      percentOffBp: 200,
      match: { sku: null, category: 'shoes', segment: null },
    });
    const result = choose(1000, [lower, smaller, winner]);
    expect(result.applied).toMatchObject({
      id: winner.id,
      name: 'members',
      priority: 10,
      type: 'percent_off',
      percentOffBp: 500,
      unitPriceMinor: 950,
      unitDiscountMinor: 50,
    });
    expect(result.notApplied.map((r) => [r.id, r.reason])).toEqual([
      [smaller.id, 'smaller-discount'],
      [lower.id, 'lower-priority'],
    ]);
  });

  it('explains at most five losing rules, the nearest first', () => {
    const rules = Array.from({ length: 8 }, (_, i) => rule({ percentOffBp: 100 * (i + 1) }));
    const result = choose(1000, rules);
    expect(result.applied?.percentOffBp).toBe(800);
    expect(result.notApplied.map((r) => r.percentOffBp)).toEqual([700, 600, 500, 400, 300]);
  });

  it('lets the highest priority win even with a smaller discount: discounts never stack', () => {
    const result = choose(1000, [
      rule({ priority: 0, percentOffBp: 5000 }),
      rule({ priority: 1, percentOffBp: 100 }),
    ]);
    expect(result.unitPriceMinor).toBe(990);
    expect(result.notApplied).toHaveLength(1);
  });

  it('breaks a tie of priority and price by creation order', () => {
    const first = rule({ percentOffBp: 1000 });
    const second = rule({ percentOffBp: 1000, match: { sku: null, category: 'shoes', segment: null } });
    const result = choose(1000, [second, first]);
    expect(result.applied?.id).toBe(first.id);
    expect(result.notApplied[0]).toMatchObject({ id: second.id, reason: 'created-later' });
  });

  it('applies a rule from validFrom inclusive until validTo exclusive', () => {
    const windowed = rule({ validFrom: at.toISOString(), validTo: '2025-06-16T00:00:00.000Z' });
    expect(choose(1000, [windowed]).unitPriceMinor).toBe(900);
    expect(choose(1000, [windowed], { at: new Date(at.getTime() - 1) }).unitPriceMinor).toBe(1000);
    expect(choose(1000, [windowed], { at: new Date('2025-06-16T00:00:00.000Z') }).unitPriceMinor).toBe(1000);
  });

  it('applies a quantity break from its minimum; of several breaks the best one reached wins', () => {
    const ten = rule({ minQuantity: 10, percentOffBp: 500 });
    const fifty = rule({ minQuantity: 50, percentOffBp: 1000 });
    expect(choose(1000, [ten, fifty], { quantity: 9 }).unitPriceMinor).toBe(1000);
    expect(choose(1000, [ten, fifty], { quantity: 10 }).unitPriceMinor).toBe(950);
    expect(choose(1000, [ten, fifty], { quantity: 60 }).unitPriceMinor).toBe(900);
  });

  it('requires every condition a rule names: SKU and category together', () => {
    const both = rule({ match: { sku: 'SKU-1', category: 'shoes', segment: null } });
    expect(choose(1000, [both]).unitPriceMinor).toBe(900);
    expect(choose(1000, [both], { category: 'hats' }).unitPriceMinor).toBe(1000);
    expect(choose(1000, [both], { sku: 'SKU-2' }).unitPriceMinor).toBe(1000);
    expect(choose(1000, [both], { category: null }).unitPriceMinor).toBe(1000);
  });

  it('matches segment rules by tier or full key, and never a quote without a segment', () => {
    const goldTier = rule({ match: { sku: null, category: null, segment: 'gold' } });
    const goldKey = rule({
      match: { sku: null, category: null, segment: 'eu-west/gold/active' },
      percentOffBp: 2000,
    });
    const key = parseSegment('eu-west/gold/active', regions);
    const lapsing = parseSegment('eu-west/gold/lapsing', regions);
    expect(choose(1000, [goldTier, goldKey], { segment: key }).unitPriceMinor).toBe(800);
    expect(choose(1000, [goldTier, goldKey], { segment: lapsing }).unitPriceMinor).toBe(900);
    expect(choose(1000, [goldTier, goldKey], { segment: parseSegment('gold', regions) }).unitPriceMinor).toBe(
      900,
    );
    expect(choose(1000, [goldTier, goldKey]).unitPriceMinor).toBe(1000);
  });

  it('applies amounts only in their currency and percentages in theirs or, without one, in any', () => {
    const usdOff = rule({ type: 'amount_off', percentOffBp: null, amountMinor: 100, currency: 'USD' });
    expect(choose(1000, [usdOff]).unitPriceMinor).toBe(1000);
    expect(choose(1000, [usdOff], { currency: 'USD' }).unitPriceMinor).toBe(900);
    const anyCurrency = rule({ percentOffBp: 1000 });
    expect(choose(1000, [anyCurrency], { currency: 'INR' }).unitPriceMinor).toBe(900);
    const eurOnly = rule({ percentOffBp: 1000, currency: 'EUR' });
    expect(choose(1000, [eurOnly], { currency: 'INR' }).unitPriceMinor).toBe(1000);
  });

  it('skips disabled rules, other regions, and rules that would not lower the price', () => {
    const fixedAbove = rule({
      priority: 100,
      type: 'fixed_price',
      percentOffBp: null,
      amountMinor: 5000,
      currency: 'EUR',
    });
    const result = choose(1000, [
      rule({ enabled: false, percentOffBp: 9000 }),
      rule({ region: 'us-east', percentOffBp: 9000 }),
      fixedAbove,
      rule({ percentOffBp: 1000 }),
    ]);
    // The fixed price above the list price neither applies nor blocks the lower-priority rule.
    expect(result.unitPriceMinor).toBe(900);
    expect(result.notApplied).toEqual([]);
  });
});
