import { regions } from '@shop/common';
import { z } from 'zod';
import { currencies, MAX_AMOUNT_MINOR } from '../domain/money.js';
import { RATE_BASE } from '../domain/rates.js';
import { MAX_NOT_APPLIED, parseSegment, ruleTypes } from '../domain/rules.js';

export const Region = z.enum(regions);
export const Currency = z.enum(currencies, {
  error: `an ISO 4217 code this service prices in: ${currencies.join(', ')}`,
});

// As catalog-service defines them: SKUs stored upper case, categories lower-case words joined by hyphens.
export const Sku = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9][A-Z0-9._-]{1,63}$/, 'letters, digits, `.`, `_` or `-`, 2 to 64 characters');
export const Category = z
  .string()
  .trim()
  .toLowerCase()
  .max(60)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lower-case words joined by hyphens, e.g. running-shoes');
const SegmentText = z
  .string()
  .max(60)
  .refine(
    (s) => parseSegment(s, regions) !== undefined,
    'region/tier/recency (eu-west/gold/active) or a tier (gold)',
  );
const AmountMinor = z
  .number()
  .int('whole minor units (cents), not a fraction')
  .min(0)
  .max(MAX_AMOUNT_MINOR, `at most ${MAX_AMOUNT_MINOR} minor units`);
const Instant = z.iso.datetime({
  offset: true,
  error: 'an ISO-8601 instant with offset, e.g. 2025-06-01T00:00:00Z',
});

/** The largest quantity of one line a quote takes; more is a typo or abuse, not an order. */
export const MAX_QUANTITY = 10_000;
export const MAX_LINES = 200;

const Limit = z.coerce.number().int().min(1).max(100).default(20);
const CursorText = z.string().min(1).max(300);

// --- price books -------------------------------------------------------------------------------------

export const BookIdParams = z.object({ bookId: z.uuid() });
export const PriceParams = z.object({ bookId: z.uuid(), sku: Sku });

export const NewPriceBookBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  region: Region,
  currency: Currency,
  isDefault: z
    .boolean()
    .optional()
    .describe("Make this the region's default book (the first book always is)"),
});

export const PriceBookChangesBody = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    isDefault: z.literal(true, { error: 'only true: make another book the default to move it' }).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'send at least one of name, isDefault');

export const PriceBook = z
  .object({
    id: z.uuid(),
    name: z.string(),
    region: Region,
    currency: Currency,
    isDefault: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'PriceBook' });

export const PriceBookListQuery = z.strictObject({
  limit: Limit,
  cursor: CursorText.optional(),
  region: Region.optional(),
  currency: Currency.optional(),
});
export const PriceBookPage = z.object({ items: z.array(PriceBook), nextCursor: z.string().nullable() });

export const PriceBody = z.strictObject({
  amountMinor: AmountMinor,
  category: Category.nullable().optional(),
});

export const PricesBody = z.strictObject({
  prices: z
    .array(z.strictObject({ sku: Sku, amountMinor: AmountMinor, category: Category.nullable().optional() }))
    .min(1)
    .max(1000)
    .superRefine((prices, ctx) => {
      const seen = new Set<string>();
      prices.forEach((p, i) => {
        if (seen.has(p.sku))
          ctx.addIssue({ code: 'custom', path: [i, 'sku'], message: `${p.sku} appears twice` });
        seen.add(p.sku);
      });
    }),
});

export const BasePrice = z
  .object({
    priceBookId: z.uuid(),
    sku: z.string(),
    region: Region,
    category: z.string().nullable(),
    amountMinor: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'BasePrice' });

export const PriceListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: CursorText.optional(),
  category: Category.optional(),
});
export const PricePage = z.object({ items: z.array(BasePrice), nextCursor: z.string().nullable() });
export const PricesResponse = z.object({
  items: z.array(BasePrice),
  created: z.number().int(),
  replaced: z.number().int(),
});

// --- rules -------------------------------------------------------------------------------------------

export const RuleIdParams = z.object({ ruleId: z.uuid() });

const RuleMatchBody = z.strictObject({
  sku: Sku.nullable().optional(),
  category: Category.nullable().optional(),
  segment: SegmentText.nullable().optional().describe('region/tier/recency or a tier alone'),
});

const ruleFields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().max(2000).nullable().optional(),
  enabled: z.boolean().optional(),
  priority: z.number().int().min(-1000).max(1000).describe('Higher wins; default 0'),
  type: z.enum(ruleTypes),
  percentOffBp: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .nullable()
    .optional()
    .describe('percent_off: 1250 = 12.5 %'),
  amountMinor: AmountMinor.nullable()
    .optional()
    .describe('amount_off and fixed_price, in minor units of currency'),
  currency: Currency.nullable().optional(),
  minQuantity: z.number().int().min(1).max(MAX_QUANTITY).optional().describe('Quantity break; default 1'),
  validFrom: Instant.nullable().optional(),
  validTo: Instant.nullable().optional().describe('Exclusive'),
};

export const NewRuleBody = z.strictObject({
  ...ruleFields,
  region: Region,
  priority: ruleFields.priority.optional(),
  match: RuleMatchBody,
});

export const RuleChangesBody = z
  .strictObject({
    name: ruleFields.name.optional(),
    description: ruleFields.description,
    enabled: ruleFields.enabled,
    priority: ruleFields.priority.optional(),
    match: RuleMatchBody.optional(),
    type: ruleFields.type.optional(),
    percentOffBp: ruleFields.percentOffBp,
    amountMinor: ruleFields.amountMinor,
    currency: ruleFields.currency,
    minQuantity: ruleFields.minQuantity,
    validFrom: ruleFields.validFrom,
    validTo: ruleFields.validTo,
  })
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change');

export const Rule = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    region: Region,
    enabled: z.boolean(),
    priority: z.number().int(),
    match: z.object({
      sku: z.string().nullable(),
      category: z.string().nullable(),
      segment: z.string().nullable(),
    }),
    type: z.enum(ruleTypes),
    percentOffBp: z.number().int().nullable(),
    amountMinor: z.number().int().nullable(),
    currency: Currency.nullable(),
    minQuantity: z.number().int(),
    validFrom: z.string().nullable(),
    validTo: z.string().nullable(),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'PriceRule' });

export const RuleListQuery = z.strictObject({
  limit: Limit,
  cursor: CursorText.optional(),
  region: Region.optional(),
  enabled: z.enum(['true', 'false']).optional(),
  sku: Sku.optional(),
  category: Category.optional(),
});
export const RulePage = z.object({ items: z.array(Rule), nextCursor: z.string().nullable() });

// --- quotes ------------------------------------------------------------------------------------------

export const QuoteIdParams = z.object({ quoteId: z.uuid() });

export const QuoteBody = z.strictObject({
  region: Region,
  currency: Currency,
  customerId: z.uuid().optional().describe("Defaults to the caller's id for a customer token"),
  segment: SegmentText.optional().describe('Trusted from service and admin tokens only'),
  lines: z
    .array(
      z.strictObject({
        sku: Sku,
        category: Category.optional().describe('Used when the price book has no category for the SKU'),
        quantity: z
          .number()
          .int('a whole number of units')
          .min(1, 'at least 1')
          .max(MAX_QUANTITY, `at most ${MAX_QUANTITY} per line`),
      }),
    )
    .min(1, 'at least one line')
    .max(MAX_LINES, `at most ${MAX_LINES} lines`),
});

const RuleOutcome = z.object({
  id: z.uuid(),
  name: z.string(),
  version: z.number().int(),
  priority: z.number().int(),
  type: z.enum(ruleTypes),
  percentOffBp: z.number().int().nullable(),
  amountMinor: z.number().int().nullable(),
  currency: z.string().nullable(),
  minQuantity: z.number().int(),
  unitPriceMinor: z.number().int(),
  unitDiscountMinor: z.number().int(),
});

export const QuoteLine = z.object({
  sku: z.string(),
  category: z.string().nullable(),
  quantity: z.number().int(),
  baseUnitPriceMinor: z.number().int().describe("In the price book's currency"),
  listUnitPriceMinor: z.number().int().describe("In the quote's currency, before rules"),
  unitDiscountMinor: z.number().int(),
  unitPriceMinor: z.number().int(),
  lineTotalMinor: z.number().int().describe('unitPriceMinor × quantity'),
  lineDiscountMinor: z.number().int(),
  rulesApplied: z.array(RuleOutcome).describe('The rule that priced the line: none or one (no stacking)'),
  rulesNotApplied: z
    .array(RuleOutcome.extend({ reason: z.enum(['lower-priority', 'smaller-discount', 'created-later']) }))
    .describe(`Eligible rules that lost, with the reason: the ${MAX_NOT_APPLIED} nearest, in order`),
});

export const Conversion = z.object({
  from: z.string(),
  to: z.string(),
  rate: z.string().describe('Units of `to` per unit of `from`, 10 decimals (the arithmetic is exact)'),
  asOf: z.string().describe('The oldest rate used'),
  legs: z.array(
    z.object({
      base: z.string(),
      currency: z.string(),
      rate: z.string(),
      asOf: z.string(),
      source: z.string(),
    }),
  ),
});

export const Quote = z
  .object({
    quoteId: z.uuid(),
    region: Region,
    currency: Currency,
    customerId: z.string().nullable(),
    segment: z.string().nullable(),
    priceBook: z.object({ id: z.string(), name: z.string(), currency: z.string() }),
    conversion: Conversion.nullable(),
    lines: z.array(QuoteLine),
    subtotalMinor: z.number().int().describe('Σ list unit price × quantity'),
    discountMinor: z.number().int(),
    totalMinor: z.number().int().describe('Σ line totals'),
    pricedAt: z.string(),
    expiresAt: z.string(),
    expired: z.boolean(),
  })
  .meta({ id: 'Quote' });

// --- rates -------------------------------------------------------------------------------------------

export const Rate = z.object({
  base: z.literal(RATE_BASE),
  currency: Currency,
  rate: z.string(),
  asOf: z.string(),
  source: z.string(),
});
export const RatesResponse = z.object({ base: z.literal(RATE_BASE), rates: z.array(Rate) });
export const RateParams = z.object({ currency: Currency });
export const RateHistoryQuery = z.strictObject({ limit: Limit, before: Instant.optional() });
export const LoadRatesResponse = z.object({ inserted: z.number().int(), unchanged: z.number().int() });
