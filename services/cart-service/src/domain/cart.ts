// Cart rules with no I/O: lines, quantities, currencies, merging, re-pricing and totals.
// Money is in integer minor units of the cart's currency, always.
import type { Region } from '@shop/common';
import { fail } from '../errors.js';

/** The largest quantity of one SKU in a cart: more is a typo or abuse, not a shopping cart. */
export const MAX_LINE_QUANTITY = 99;
/** The largest number of distinct SKUs in one cart. */
export const MAX_LINES = 100;

export const cartStatuses = ['open', 'checked_out', 'merged'] as const;
export type CartStatus = (typeof cartStatuses)[number];

/** What pricing-service said about one line when it was added: the price the customer saw. */
export interface PriceSnapshot {
  quoteId: string;
  unitPriceMinor: number;
  currency: string;
  /** The ids of the price rules that produced the unit price, in the order pricing applied them. */
  rulesApplied: string[];
  pricedAt: string;
}

export interface CartLine extends PriceSnapshot {
  sku: string;
  name: string;
  quantity: number;
  /**
   * The quantity changed without a new quote (a merge added to it), so the snapshot may not fit the
   * quantity any more (tiered rules): checkout prices the line again whatever its age.
   */
  needsReprice: boolean;
  addedAt: string;
}

export interface Cart {
  id: string;
  /** Null for a guest cart, which its holder reaches with the cart token instead. */
  customerId: string | null;
  region: Region;
  currency: string;
  status: CartStatus;
  /** Incremented by every change; the live copy in Redis is only ever replaced by a newer one. */
  version: number;
  /** For a merged guest cart, the customer cart its lines went to. */
  mergedInto: string | null;
  lines: CartLine[];
  createdAt: string;
  updatedAt: string;
}

/** The currencies pricing-service can quote in; a cart in any other could never be priced. */
export const currencies = ['EUR', 'USD', 'GBP', 'CHF', 'INR', 'SGD', 'AUD', 'JPY', 'KWD'] as const;

/** The currency a region's carts use unless the caller asks for another. */
export const regionCurrency: Record<Region, string> = {
  'eu-west': 'EUR',
  'us-east': 'USD',
  'ap-south': 'INR',
};

export function assertOpen(cart: Cart): void {
  if (cart.status !== 'open')
    throw fail('CART_NOT_OPEN', `cart ${cart.id} is ${cart.status.replace('_', ' ')}`);
}

export function assertCurrency(cart: Cart, currency: string | undefined): void {
  if (currency !== undefined && currency !== cart.currency) {
    throw fail('CURRENCY_MISMATCH', `cart ${cart.id} is in ${cart.currency}, not ${currency}`, {
      cartCurrency: cart.currency,
    });
  }
}

function checkedQuantity(sku: string, quantity: number): number {
  if (!Number.isInteger(quantity) || quantity < 1)
    throw new RangeError(`quantity ${quantity} is not positive`);
  if (quantity > MAX_LINE_QUANTITY) {
    throw fail(
      'QUANTITY_LIMIT',
      `${sku} would have ${quantity} units; at most ${MAX_LINE_QUANTITY} per line`,
      {
        maxQuantity: MAX_LINE_QUANTITY,
      },
    );
  }
  return quantity;
}

function checkedSnapshot(cart: Cart, snapshot: PriceSnapshot): PriceSnapshot {
  // Pricing answering in another currency would put two currencies in one total: never a wrong price.
  if (snapshot.currency !== cart.currency) {
    throw fail('PRICE_UNAVAILABLE', `pricing quoted ${snapshot.currency} for a ${cart.currency} cart`);
  }
  if (!Number.isSafeInteger(snapshot.unitPriceMinor) || snapshot.unitPriceMinor < 0) {
    throw fail('PRICE_UNAVAILABLE', `pricing quoted an invalid unit price ${snapshot.unitPriceMinor}`);
  }
  return snapshot;
}

/** The quantity a line would have after adding `quantity` units of `sku` (for quoting before adding). */
export function quantityAfterAdd(cart: Cart, sku: string, quantity: number): number {
  const existing = cart.lines.find((l) => l.sku === sku);
  return checkedQuantity(sku, (existing?.quantity ?? 0) + quantity);
}

/**
 * Adds units of a SKU. An existing line grows; its snapshot is replaced by `snapshot`, which must be a
 * quote for the line's new total quantity (tiered rules price the whole line).
 */
export function addLine<C extends Cart>(
  cart: C,
  input: { sku: string; name: string; quantity: number; snapshot: PriceSnapshot },
  now: Date,
): { cart: C; line: CartLine } {
  assertOpen(cart);
  const snapshot = checkedSnapshot(cart, input.snapshot);
  const quantity = quantityAfterAdd(cart, input.sku, input.quantity);
  const existing = cart.lines.find((l) => l.sku === input.sku);
  if (!existing && cart.lines.length >= MAX_LINES) {
    throw fail('CART_LINE_LIMIT', `a cart holds at most ${MAX_LINES} different products`, {
      maxLines: MAX_LINES,
    });
  }
  const line: CartLine = {
    sku: input.sku,
    name: input.name,
    quantity,
    ...snapshot,
    needsReprice: false,
    addedAt: existing?.addedAt ?? now.toISOString(),
  };
  const lines = existing ? cart.lines.map((l) => (l.sku === input.sku ? line : l)) : [...cart.lines, line];
  return { cart: touch({ ...cart, lines }, now), line };
}

/** Sets a line's quantity with a snapshot quoted for that quantity. */
export function changeQuantity<C extends Cart>(
  cart: C,
  sku: string,
  quantity: number,
  snapshot: PriceSnapshot,
  now: Date,
): C {
  assertOpen(cart);
  const existing = findLine(cart, sku);
  const line: CartLine = {
    ...existing,
    quantity: checkedQuantity(sku, quantity),
    ...checkedSnapshot(cart, snapshot),
    needsReprice: false,
  };
  return touch({ ...cart, lines: cart.lines.map((l) => (l.sku === sku ? line : l)) }, now);
}

export function removeLine<C extends Cart>(cart: C, sku: string, now: Date): C {
  assertOpen(cart);
  findLine(cart, sku);
  return touch({ ...cart, lines: cart.lines.filter((l) => l.sku !== sku) }, now);
}

export function findLine(cart: Cart, sku: string): CartLine {
  const line = cart.lines.find((l) => l.sku === sku);
  if (!line) throw fail('LINE_NOT_FOUND', `cart ${cart.id} has no line for ${sku}`);
  return line;
}

export interface MergeResult<C extends Cart = Cart> {
  cart: C;
  /** What the merge added to the target, per SKU: the units moved over. */
  added: Array<{ line: CartLine; quantityAdded: number }>;
  /** SKUs whose sum exceeded the per-line limit and were capped at it. */
  capped: string[];
}

/**
 * Moves a guest cart's lines into a customer's cart. Same SKU: quantities add up (capped at the per-line
 * limit) and the line is marked for re-pricing, since no quote covers the summed quantity; the most recent
 * of the two snapshots is kept for display. Carts of different regions or currencies cannot merge.
 */
export function mergeCarts<C extends Cart>(target: C, guest: Cart, now: Date): MergeResult<C> {
  assertOpen(target);
  assertOpen(guest);
  if (guest.customerId !== null) throw fail('NOT_A_GUEST_CART', `cart ${guest.id} belongs to a customer`);
  if (guest.id === target.id) throw fail('NOT_A_GUEST_CART', 'a cart cannot be merged into itself');
  if (guest.region !== target.region) {
    throw fail(
      'REGION_MISMATCH',
      `cart ${guest.id} is in ${guest.region}, cart ${target.id} in ${target.region}`,
    );
  }
  assertCurrency(target, guest.currency);
  const lines = [...target.lines];
  const added: MergeResult['added'] = [];
  const capped: string[] = [];
  for (const incoming of guest.lines) {
    const index = lines.findIndex((l) => l.sku === incoming.sku);
    const existing = index >= 0 ? lines[index] : undefined;
    if (!existing) {
      if (lines.length >= MAX_LINES) {
        throw fail('CART_LINE_LIMIT', `merging would exceed ${MAX_LINES} different products`, {
          maxLines: MAX_LINES,
        });
      }
      lines.push(incoming);
      added.push({ line: incoming, quantityAdded: incoming.quantity });
      continue;
    }
    const sum = existing.quantity + incoming.quantity;
    const quantity = Math.min(sum, MAX_LINE_QUANTITY);
    if (sum > MAX_LINE_QUANTITY) capped.push(incoming.sku);
    const newer = incoming.pricedAt > existing.pricedAt ? incoming : existing;
    const merged: CartLine = {
      ...existing,
      ...snapshotOf(newer),
      quantity,
      needsReprice: true,
    };
    lines[index] = merged;
    if (quantity > existing.quantity)
      added.push({ line: merged, quantityAdded: quantity - existing.quantity });
  }
  return { cart: touch({ ...target, lines }, now), added, capped };
}

function snapshotOf(line: PriceSnapshot): PriceSnapshot {
  return {
    quoteId: line.quoteId,
    unitPriceMinor: line.unitPriceMinor,
    currency: line.currency,
    rulesApplied: line.rulesApplied,
    pricedAt: line.pricedAt,
  };
}

/** Lines checkout must price again: snapshots older than `maxAgeSeconds`, or marked by a merge. */
export function linesToReprice(cart: Cart, now: Date, maxAgeSeconds: number): CartLine[] {
  const cutoff = now.getTime() - maxAgeSeconds * 1000;
  return cart.lines.filter((l) => l.needsReprice || Date.parse(l.pricedAt) <= cutoff);
}

export interface PriceChange {
  sku: string;
  quantity: number;
  previousUnitPriceMinor: number;
  unitPriceMinor: number;
  /** (new − previous) × quantity: what the customer pays more (positive) or less (negative) for the line. */
  differenceMinor: number;
  quoteId: string;
  rulesApplied: string[];
}

/** Applies fresh snapshots (by SKU) to a cart and lists every line whose price they changed. */
export function applyReprice<C extends Cart>(
  cart: C,
  snapshots: ReadonlyMap<string, PriceSnapshot>,
  now: Date,
): { cart: C; changes: PriceChange[] } {
  const changes: PriceChange[] = [];
  const lines = cart.lines.map((line) => {
    const fresh = snapshots.get(line.sku);
    if (!fresh) return line;
    const snapshot = checkedSnapshot(cart, fresh);
    if (snapshot.unitPriceMinor !== line.unitPriceMinor) {
      changes.push({
        sku: line.sku,
        quantity: line.quantity,
        previousUnitPriceMinor: line.unitPriceMinor,
        unitPriceMinor: snapshot.unitPriceMinor,
        differenceMinor: (snapshot.unitPriceMinor - line.unitPriceMinor) * line.quantity,
        quoteId: snapshot.quoteId,
        rulesApplied: snapshot.rulesApplied,
      });
    }
    return { ...line, ...snapshot, needsReprice: false };
  });
  return { cart: touch({ ...cart, lines }, now), changes };
}

export function lineTotal(line: Pick<CartLine, 'unitPriceMinor' | 'quantity'>): number {
  return line.unitPriceMinor * line.quantity;
}

/** Sum of line totals; throws if it leaves the range where integer arithmetic is exact. */
export function subtotal(cart: Pick<Cart, 'lines'>): number {
  const total = cart.lines.reduce((sum, l) => sum + lineTotal(l), 0);
  if (!Number.isSafeInteger(total)) throw new RangeError('cart total exceeds the exact integer range');
  return total;
}

export function itemCount(cart: Pick<Cart, 'lines'>): number {
  return cart.lines.reduce((sum, l) => sum + l.quantity, 0);
}

/** Throws unless the cart can be checked out as it is: open, not empty, a customer's. */
export function assertCheckoutable(cart: Cart): void {
  assertOpen(cart);
  if (cart.lines.length === 0) throw fail('CART_EMPTY', `cart ${cart.id} has no lines`);
  if (cart.customerId === null) {
    throw fail('CHECKOUT_NEEDS_CUSTOMER', 'sign in and merge this guest cart into your cart to check out');
  }
}

/** The state after checkout: nothing may change it again. */
export function markCheckedOut<C extends Cart>(cart: C, now: Date): C {
  assertCheckoutable(cart);
  return touch({ ...cart, status: 'checked_out' }, now);
}

/** The guest cart after a merge: kept, read-only, as the record of what moved and where. */
export function markMerged<C extends Cart>(cart: C, targetId: string, now: Date): C {
  return touch({ ...cart, status: 'merged', mergedInto: targetId }, now);
}

function touch<C extends Cart>(cart: C, now: Date): C {
  return { ...cart, version: cart.version + 1, updatedAt: now.toISOString() };
}
