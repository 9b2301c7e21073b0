// What a checkout answers, built from the cart as it was checked out. Stored whole, so every later call
// for the same cart answers exactly the same thing.
import type { Region } from '@shop/common';
import { type Cart, itemCount, lineTotal, type PriceChange, subtotal } from './cart.js';

export interface CheckoutLine {
  sku: string;
  name: string;
  quantity: number;
  unitPriceMinor: number;
  lineTotalMinor: number;
  quoteId: string;
  rulesApplied: string[];
}

export interface CheckoutResult {
  checkoutId: string;
  cartId: string;
  customerId: string;
  region: Region;
  currency: string;
  lines: CheckoutLine[];
  itemCount: number;
  subtotalMinor: number;
  /** SKUs priced again at checkout (their snapshot was too old, or a merge changed their quantity). */
  repricedSkus: string[];
  /** Lines whose price differs from what the cart showed before checkout. */
  priceChanges: PriceChange[];
  /** The subtotal the cart showed before re-pricing. */
  previousSubtotalMinor: number;
  /** subtotalMinor − previousSubtotalMinor: positive when the customer pays more than the cart showed. */
  differenceMinor: number;
  checkedOutAt: string;
}

/** The checkout of `after` (the checked-out cart), given the cart as shown before re-pricing. */
export function buildCheckout(input: {
  checkoutId: string;
  before: Cart;
  after: Cart;
  repricedSkus: string[];
  priceChanges: PriceChange[];
  now: Date;
}): CheckoutResult {
  const { after } = input;
  if (after.customerId === null) throw new Error('a guest cart cannot be checked out');
  const total = subtotal(after);
  const previous = subtotal(input.before);
  return {
    checkoutId: input.checkoutId,
    cartId: after.id,
    customerId: after.customerId,
    region: after.region,
    currency: after.currency,
    lines: after.lines.map((l) => ({
      sku: l.sku,
      name: l.name,
      quantity: l.quantity,
      unitPriceMinor: l.unitPriceMinor,
      lineTotalMinor: lineTotal(l),
      quoteId: l.quoteId,
      rulesApplied: l.rulesApplied,
    })),
    itemCount: itemCount(after),
    subtotalMinor: total,
    repricedSkus: input.repricedSkus,
    priceChanges: input.priceChanges,
    previousSubtotalMinor: previous,
    differenceMinor: total - previous,
    checkedOutAt: input.now.toISOString(),
  };
}
