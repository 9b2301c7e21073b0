// Orders and their status machine: plain TypeScript, no I/O. Domain errors carry codes, never statuses.
import { DomainError } from '@shop/common';

export const orderStatuses = [
  'pending',
  'reserved',
  'paid',
  'confirmed',
  'fulfilled',
  'cancelled',
  'refunded',
] as const;
export type OrderStatus = (typeof orderStatuses)[number];

/**
 * Every legal move. pending → reserved → paid → confirmed → fulfilled is the happy path; an order is
 * cancelled while no money was taken (or after it was voided) and refunded once money was captured.
 */
export const transitions: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['reserved', 'cancelled'],
  reserved: ['paid', 'cancelled'],
  // paid = authorized: voiding it cancels; a capture followed by a failure refunds.
  paid: ['confirmed', 'cancelled', 'refunded'],
  confirmed: ['fulfilled', 'refunded'],
  fulfilled: ['refunded'],
  cancelled: [],
  refunded: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return transitions[from].includes(to);
}

/** Throws ILLEGAL_TRANSITION unless `from → to` is a legal move; moving to the same status is not one. */
export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) {
    const allowed = transitions[from];
    throw new DomainError(
      'ILLEGAL_TRANSITION',
      `an order cannot move from ${from} to ${to}` +
        (allowed.length ? ` (allowed: ${allowed.join(', ')})` : ' (it is final)'),
      { from, to, allowed: [...allowed] },
    );
  }
}

export function isFinal(status: OrderStatus): boolean {
  return transitions[status].length === 0;
}

/** The status as the `order.status.changed.v1` contract names it. */
export const contractStatus = {
  pending: 'pending',
  reserved: 'inventory_reserved',
  paid: 'payment_authorized',
  confirmed: 'confirmed',
  fulfilled: 'shipped',
  cancelled: 'cancelled',
  refunded: 'refunded',
} as const satisfies Record<OrderStatus, string>;

export interface OrderLineInput {
  sku: string;
  quantity: number;
  unitPriceMinor: number;
}

export interface OrderLine extends OrderLineInput {
  lineTotalMinor: number;
}

export interface Order {
  id: string;
  customerId: string;
  cartId: string;
  checkoutId: string;
  region: string;
  currency: string;
  status: OrderStatus;
  statusReason: string | null;
  subtotalMinor: number;
  totalMinor: number;
  lines: OrderLine[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Amounts above this (in minor units) are refused: far beyond any basket, and safe for JS numbers and BIGINT. */
export const MAX_TOTAL_MINOR = 1_000_000_000_000;

/** Line totals and the order total in integer minor units; refuses duplicate SKUs and absurd totals. */
export function priceLines(lines: OrderLineInput[]): { lines: OrderLine[]; subtotalMinor: number } {
  const seen = new Set<string>();
  let subtotal = 0;
  const priced = lines.map((l) => {
    if (seen.has(l.sku))
      throw new DomainError('DUPLICATE_SKU', `SKU ${l.sku} appears twice; merge the lines`);
    seen.add(l.sku);
    const lineTotalMinor = l.quantity * l.unitPriceMinor;
    subtotal += lineTotalMinor;
    if (!Number.isSafeInteger(lineTotalMinor) || subtotal > MAX_TOTAL_MINOR) {
      throw new DomainError('TOTAL_TOO_LARGE', `the total exceeds ${MAX_TOTAL_MINOR} minor units`);
    }
    return { ...l, lineTotalMinor };
  });
  return { lines: priced, subtotalMinor: subtotal };
}
