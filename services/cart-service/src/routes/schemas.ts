import { regions } from '@shop/common';
import { z } from 'zod';
import { cartStatuses, currencies, MAX_LINE_QUANTITY } from '../domain/cart.js';

export const Region = z.enum(regions);

// As catalog-service defines it; compared case-insensitively, so stored upper case like the catalog does.
const sku = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/, '2 to 64 letters, digits, dots, dashes and underscores')
  .transform((s) => s.toUpperCase());
const currency = z.enum(currencies, { error: `one of ${currencies.join(', ')}` });
const quantity = z
  .number()
  .int()
  .min(1, 'at least 1; remove the line to drop it')
  .max(MAX_LINE_QUANTITY, `at most ${MAX_LINE_QUANTITY}`);

export const CartIdParams = z.object({ cartId: z.uuid() });
export const LineParams = z.object({ cartId: z.uuid(), sku });

/** A guest cart's holder proves it with the token POST /carts answered; a customer sends a bearer token. */
export const CartTokenHeaders = z
  .object({ 'x-cart-token': z.string().min(1).max(200).optional() })
  .loose()
  .describe('X-Cart-Token: the token of a guest cart, as POST /carts answered it');

export const NewCartBody = z.strictObject({
  region: Region,
  currency: currency
    .optional()
    .describe("Defaults to the region's currency (eu-west EUR, us-east USD, ap-south INR)"),
  customerId: z
    .uuid()
    .optional()
    .describe('Only for admin and service callers; a customer gets their own cart'),
});

export const AddLineBody = z.strictObject({
  sku,
  quantity,
  currency: currency.optional().describe("The currency the client shows; must be the cart's"),
});

export const QuantityBody = z.strictObject({ quantity });

export const MergeBody = z.strictObject({
  guestCartId: z.uuid(),
  guestCartToken: z.string().min(1).max(200),
});

export const CartLine = z.object({
  sku: z.string(),
  name: z.string(),
  quantity: z.number().int(),
  unitPriceMinor: z.number().int(),
  lineTotalMinor: z.number().int(),
  currency: z.string(),
  quoteId: z.string(),
  rulesApplied: z.array(z.string()),
  pricedAt: z.string(),
  needsReprice: z.boolean(),
  addedAt: z.string(),
});

export const Cart = z
  .object({
    id: z.uuid(),
    customerId: z.uuid().nullable(),
    region: Region,
    currency: z.string(),
    status: z.enum(cartStatuses),
    version: z.number().int(),
    mergedInto: z.uuid().nullable(),
    lines: z.array(CartLine),
    itemCount: z.number().int(),
    subtotalMinor: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Cart' });

export const CreatedCart = Cart.extend({
  cartToken: z
    .string()
    .optional()
    .describe('Only for a new guest cart, only in this answer: send it as X-Cart-Token'),
});

export const MergedCart = Cart.extend({
  merge: z.object({
    from: z.uuid(),
    movedSkus: z.array(z.string()),
    cappedSkus: z.array(z.string()).describe(`SKUs whose summed quantity was capped at ${MAX_LINE_QUANTITY}`),
  }),
});

const PriceChange = z.object({
  sku: z.string(),
  quantity: z.number().int(),
  previousUnitPriceMinor: z.number().int(),
  unitPriceMinor: z.number().int(),
  differenceMinor: z.number().int(),
  quoteId: z.string(),
  rulesApplied: z.array(z.string()),
});

export const Checkout = z
  .object({
    checkoutId: z.uuid(),
    cartId: z.uuid(),
    customerId: z.uuid(),
    region: Region,
    currency: z.string(),
    lines: z.array(
      z.object({
        sku: z.string(),
        name: z.string(),
        quantity: z.number().int(),
        unitPriceMinor: z.number().int(),
        lineTotalMinor: z.number().int(),
        quoteId: z.string(),
        rulesApplied: z.array(z.string()),
      }),
    ),
    itemCount: z.number().int(),
    subtotalMinor: z.number().int(),
    repricedSkus: z.array(z.string()),
    priceChanges: z.array(PriceChange),
    previousSubtotalMinor: z.number().int(),
    differenceMinor: z.number().int(),
    checkedOutAt: z.string(),
  })
  .meta({ id: 'Checkout' });
