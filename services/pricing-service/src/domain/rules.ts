// Discount rules: what a rule is, when it is well-formed, which rules are eligible for a line, and which
// one wins. No I/O. The order of evaluation is recorded in
// docs/design/decisions/070-pricing-rules-and-rounding.md and pinned by test/domain/rules.test.ts.
import type { Region } from '@shop/common';
import { fail } from '../errors.js';
import { type Currency, divRoundHalfEven } from './money.js';

// The segment vocabulary of customer-service (`region/tier/recency`); pricing only reads it.
export const spendTiers = ['none', 'bronze', 'silver', 'gold'] as const;
export type SpendTier = (typeof spendTiers)[number];
export const recencies = ['active', 'lapsing', 'dormant', 'never'] as const;
export type Recency = (typeof recencies)[number];

/** A segment as a caller or a rule names it: a full key `eu-west/gold/active`, or a tier alone `gold`. */
export type Segment =
  | { kind: 'key'; key: string; region: Region; tier: SpendTier; recency: Recency }
  | { kind: 'tier'; key: string; tier: SpendTier };

/** Parses `region/tier/recency` or `tier`; undefined for anything else. */
export function parseSegment(text: string, regions: readonly Region[]): Segment | undefined {
  const parts = text.split('/');
  if (parts.length === 1 && (spendTiers as readonly string[]).includes(parts[0]!)) {
    return { kind: 'tier', key: text, tier: parts[0] as SpendTier };
  }
  if (
    parts.length === 3 &&
    (regions as readonly string[]).includes(parts[0]!) &&
    (spendTiers as readonly string[]).includes(parts[1]!) &&
    (recencies as readonly string[]).includes(parts[2]!)
  ) {
    return {
      kind: 'key',
      key: text,
      region: parts[0] as Region,
      tier: parts[1] as SpendTier,
      recency: parts[2] as Recency,
    };
  }
  return undefined;
}

/**
 * A rule naming a tier matches every segment of that tier; a rule naming a full key matches only that key.
 * A quote without a segment matches no segment rule.
 */
export function segmentMatches(rule: Segment, quote: Segment | undefined): boolean {
  if (!quote) return false;
  if (rule.kind === 'tier') return rule.tier === quote.tier;
  return quote.kind === 'key' && quote.key === rule.key;
}

/**
 * What a rule does to a unit price. The names are the event contract's (`pricing.rule.changed.v1`):
 * percent_off takes basis points of the price, amount_off takes a fixed amount, fixed_price sets the price.
 */
export const ruleTypes = ['percent_off', 'amount_off', 'fixed_price'] as const;
export type RuleType = (typeof ruleTypes)[number];

export interface RuleMatch {
  sku: string | null;
  category: string | null;
  /** A segment key or tier, see parseSegment. */
  segment: string | null;
}

export interface PriceRule {
  id: string;
  name: string;
  description: string | null;
  region: Region;
  enabled: boolean;
  /** Higher wins: among the eligible rules of a line only the highest priority ones compete. */
  priority: number;
  match: RuleMatch;
  type: RuleType;
  /** percent_off only: 1..10000 basis points (1250 = 12.5 %). */
  percentOffBp: number | null;
  /** amount_off and fixed_price: minor units of `currency`. */
  amountMinor: number | null;
  /** Required with an amount (amounts are never converted); for percent_off null means any currency. */
  currency: Currency | null;
  /** The quantity break: the rule is eligible for a line of at least this many units. */
  minQuantity: number;
  /** Inclusive start and exclusive end (ISO-8601); null is open. */
  validFrom: string | null;
  validTo: string | null;
  /** Incremented by every change; published as the event's `revision`. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** What a rule is made of, without the identity and bookkeeping the store adds. */
export type RuleDefinition = Omit<PriceRule, 'id' | 'version' | 'createdAt' | 'updatedAt'>;

/**
 * Throws unless a (possibly merged) rule definition is consistent. Field names in the errors are the
 * request body's, so a PATCH that breaks a rule together with its stored fields is told which field.
 */
export function checkRule(rule: RuleDefinition, regions: readonly Region[]): void {
  // The kit reserves `errors` for schema validation; a domain error names its field in `field`.
  const invalid = (code: 'INVALID_RULE' | 'INVALID_TIME_WINDOW', name: string, message: string) =>
    fail(code, message, { field: `body.${name}` });
  if (
    rule.validFrom !== null &&
    rule.validTo !== null &&
    Date.parse(rule.validTo) <= Date.parse(rule.validFrom)
  ) {
    throw invalid(
      'INVALID_TIME_WINDOW',
      'validTo',
      `validTo ${rule.validTo} must be after validFrom ${rule.validFrom}`,
    );
  }
  const { match } = rule;
  if (match.sku === null && match.category === null && match.segment === null) {
    throw invalid(
      'INVALID_RULE',
      'match',
      'a rule needs at least one of match.sku, match.category, match.segment',
    );
  }
  if (match.segment !== null) {
    const segment = parseSegment(match.segment, regions);
    if (!segment) {
      throw invalid(
        'INVALID_RULE',
        'match.segment',
        `segment ${match.segment} is neither region/tier/recency (eu-west/gold/active) nor a tier (gold)`,
      );
    }
    // A full key names the customer's home region; in another region's rule it is almost always a mistake.
    if (segment.kind === 'key' && segment.region !== rule.region) {
      throw invalid(
        'INVALID_RULE',
        'match.segment',
        `segment ${segment.key} belongs to ${segment.region}, the rule to ${rule.region}: use a ${rule.region} segment or a tier`,
      );
    }
  }
  if (rule.type === 'percent_off') {
    if (rule.percentOffBp === null || rule.amountMinor !== null) {
      throw invalid(
        'INVALID_RULE',
        rule.percentOffBp === null ? 'percentOffBp' : 'amountMinor',
        'a percent_off rule takes percentOffBp and no amountMinor',
      );
    }
  } else if (rule.amountMinor === null || rule.percentOffBp !== null || rule.currency === null) {
    const missing =
      rule.amountMinor === null ? 'amountMinor' : rule.currency === null ? 'currency' : 'percentOffBp';
    throw invalid(
      'INVALID_RULE',
      missing,
      `a ${rule.type} rule takes amountMinor and currency and no percentOffBp`,
    );
  }
}

/** Whether two half-open windows [from, to) share an instant; null ends are open. */
export function windowsOverlap(
  a: { validFrom: string | null; validTo: string | null },
  b: { validFrom: string | null; validTo: string | null },
): boolean {
  const aFrom = a.validFrom === null ? Number.NEGATIVE_INFINITY : Date.parse(a.validFrom);
  const aTo = a.validTo === null ? Number.POSITIVE_INFINITY : Date.parse(a.validTo);
  const bFrom = b.validFrom === null ? Number.NEGATIVE_INFINITY : Date.parse(b.validFrom);
  const bTo = b.validTo === null ? Number.POSITIVE_INFINITY : Date.parse(b.validTo);
  return aFrom < bTo && bFrom < aTo;
}

/**
 * Two enabled rules conflict when they target the same lines (region, match, quantity break) at the same
 * priority in overlapping windows, in currencies that can meet on one quote: only the size of the discount
 * would then decide between them, which is almost always a duplicated promotion. The admin says which
 * wins (a higher priority) or makes the windows meet end to start.
 */
export function rulesConflict(a: RuleDefinition, b: RuleDefinition): boolean {
  if (!a.enabled || !b.enabled) return false;
  if (a.region !== b.region || a.priority !== b.priority || a.minQuantity !== b.minQuantity) return false;
  if (a.match.sku !== b.match.sku || a.match.category !== b.match.category) return false;
  if (a.match.segment !== b.match.segment) return false;
  if (a.currency !== null && b.currency !== null && a.currency !== b.currency) return false;
  return windowsOverlap(a, b);
}

/** What the engine knows about one line and the quote it belongs to. */
export interface LineContext {
  sku: string;
  category: string | null;
  quantity: number;
  region: Region;
  currency: Currency;
  segment: Segment | undefined;
  at: Date;
}

/** A rule as a quote explains it: what it is and what it would do to this line's unit price. */
export interface RuleOutcome {
  id: string;
  name: string;
  version: number;
  priority: number;
  type: RuleType;
  percentOffBp: number | null;
  amountMinor: number | null;
  currency: Currency | null;
  minQuantity: number;
  /** The unit price this rule alone gives the line, in minor units of the quote's currency. */
  unitPriceMinor: number;
  unitDiscountMinor: number;
}

/**
 * How many losing rules a line explains, nearest first. A busy region has dozens of eligible rules per line;
 * listing every one made a 10-line quote 40 KB and is noise to a reader asking "why this price".
 */
export const MAX_NOT_APPLIED = 5;

/** An eligible rule that did not win, and why. */
export interface RuleNotApplied extends RuleOutcome {
  reason: 'lower-priority' | 'smaller-discount' | 'created-later';
}

function inWindow(rule: PriceRule, at: Date): boolean {
  const t = at.getTime();
  if (rule.validFrom !== null && t < Date.parse(rule.validFrom)) return false;
  if (rule.validTo !== null && t >= Date.parse(rule.validTo)) return false;
  return true;
}

/** The unit price a rule gives a list price; never negative, never above the list price. */
export function ruleUnitPrice(
  rule: Pick<PriceRule, 'type' | 'percentOffBp' | 'amountMinor'>,
  list: bigint,
): bigint {
  switch (rule.type) {
    case 'percent_off':
      // The discount is rounded (half-even, to the minor unit), not the price: the same thing here, since
      // the list price is whole, but it is the discount a customer sees on the line.
      return list - divRoundHalfEven(list * BigInt(rule.percentOffBp ?? 0), 10_000n);
    case 'amount_off': {
      const price = list - BigInt(rule.amountMinor ?? 0);
      return price < 0n ? 0n : price;
    }
    case 'fixed_price': {
      const price = BigInt(rule.amountMinor ?? 0);
      return price < list ? price : list;
    }
  }
}

/**
 * Which rule prices a line, and why the other eligible ones did not. Steps, in order:
 *  1. base price: `list` (the book's price, already in the quote's currency);
 *  2. target: enabled, same region; every condition the rule names (sku, category, segment) holds; an
 *     amount only in its own currency (never converted), a percentage in its currency or, without one, any;
 *  3. time window: validFrom <= at < validTo;
 *  4. quantity break: minQuantity <= the line's quantity;
 *  5. choice: a rule that would not lower the price is not eligible; of the rest, the highest priority
 *     wins, then the lowest unit price, then the earlier created, then the smaller id. One rule per line:
 *     discounts never stack.
 */
export function chooseRule(
  list: bigint,
  line: LineContext,
  rules: readonly PriceRule[],
  regions: readonly Region[],
): { unitPriceMinor: bigint; applied: RuleOutcome | null; notApplied: RuleNotApplied[] } {
  const eligible: { rule: PriceRule; price: bigint }[] = [];
  for (const rule of rules) {
    if (!rule.enabled || rule.region !== line.region) continue;
    const { sku, category, segment } = rule.match;
    if (sku !== null && sku !== line.sku) continue;
    if (category !== null && category !== line.category) continue;
    if (segment !== null) {
      const wanted = parseSegment(segment, regions);
      if (!wanted || !segmentMatches(wanted, line.segment)) continue;
    }
    if (rule.currency !== null && rule.currency !== line.currency) continue;
    if (!inWindow(rule, line.at)) continue;
    if (rule.minQuantity > line.quantity) continue;
    const price = ruleUnitPrice(rule, list);
    if (price >= list) continue;
    eligible.push({ rule, price });
  }
  eligible.sort(
    (a, b) =>
      b.rule.priority - a.rule.priority ||
      (a.price < b.price ? -1 : a.price > b.price ? 1 : 0) ||
      Date.parse(a.rule.createdAt) - Date.parse(b.rule.createdAt) ||
      (a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : 0),
  );
  const outcome = ({ rule, price }: { rule: PriceRule; price: bigint }): RuleOutcome => ({
    id: rule.id,
    name: rule.name,
    version: rule.version,
    priority: rule.priority,
    type: rule.type,
    percentOffBp: rule.percentOffBp,
    amountMinor: rule.amountMinor,
    currency: rule.currency,
    minQuantity: rule.minQuantity,
    unitPriceMinor: Number(price),
    unitDiscountMinor: Number(list - price),
  });
  const [winner, ...others] = eligible;
  if (!winner) return { unitPriceMinor: list, applied: null, notApplied: [] };
  return {
    unitPriceMinor: winner.price,
    applied: outcome(winner),
    notApplied: others.slice(0, MAX_NOT_APPLIED).map((other) => ({
      ...outcome(other),
      reason:
        other.rule.priority < winner.rule.priority
          ? 'lower-priority'
          : other.price > winner.price
            ? 'smaller-discount'
            : 'created-later',
    })),
  };
}
