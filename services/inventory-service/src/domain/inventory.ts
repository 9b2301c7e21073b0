// The inventory rules, free of I/O: stock arithmetic that conserves units, and the reservation state machine.
// Every write in src/db applies one of these functions to a row it read and makes the result conditional on
// that row not having changed (a lightweight transaction), so the rules hold under any concurrency.
import { createHash } from 'node:crypto';
import { DomainError } from '@shop/common';

/** Units of one SKU in one warehouse. Invariant: received = available + reserved + sold. */
export interface StockLevels {
  /** Units that may be reserved; negative only after an oversell (broken mode). */
  available: number;
  /** Units held by live reservations. */
  reserved: number;
  /** Units that left through committed reservations. */
  sold: number;
  /** Units sold that did not exist: the incident's signal. */
  oversold: number;
  /** Every unit ever added by adjustments, minus removals. */
  received: number;
}

export const emptyLevels: StockLevels = { available: 0, reserved: 0, sold: 0, oversold: 0, received: 0 };

export type ReservationStatus = 'pending' | 'reserved' | 'committed' | 'released' | 'expired' | 'rejected';
export type ReleaseReason = 'unknown' | 'payment_failed' | 'order_cancelled' | 'manual';
export type AdjustmentReason = 'unknown' | 'received' | 'correction' | 'damaged' | 'returned' | 'cycle_count';
export type CommitMode = 'fixed' | 'broken';

/** The largest quantity one reservation or adjustment may move; beyond it is a client mistake. */
export const MAX_QUANTITY = 10_000;
export const MAX_ADJUSTMENT = 1_000_000;

export function isConserved(l: StockLevels): boolean {
  return l.received === l.available + l.reserved + l.sold;
}

/**
 * Units sold beyond every unit the row ever received. Only sales raise it and only receipts lower it, so
 * units a reservation holds or gives back never move it (unlike a negative `available`, which also counts
 * units promised to live reservations and rises again when an expiry hands them back).
 */
export function deficit(l: StockLevels): number {
  return Math.max(0, l.sold - l.received);
}

/**
 * `next` with its oversold counter raised by the units this change sold beyond stock. The counter
 * accumulates those increments and never falls, so it equals sold − received while nothing new is received.
 */
function countOversold(before: StockLevels, next: StockLevels): { levels: StockLevels; oversold: number } {
  const oversold = Math.max(0, deficit(next) - deficit(before));
  return { levels: { ...next, oversold: before.oversold + oversold }, oversold };
}

/** Holds `quantity` units for a reservation; never more than is available. */
export function reserve(l: StockLevels, quantity: number): StockLevels {
  if (quantity > l.available)
    throw new DomainError('INSUFFICIENT_STOCK', `${l.available} available, ${quantity} asked`);
  return { ...l, available: l.available - quantity, reserved: l.reserved + quantity };
}

/** Gives held units back (release or expiry). */
export function unhold(l: StockLevels, quantity: number): StockLevels {
  return { ...l, available: l.available + quantity, reserved: l.reserved - quantity };
}

/**
 * Held units become sold. Oversold only on a row where a broken commit already sold units that were no
 * longer held: this sale then takes a unit that was sold twice.
 */
export function sellHeld(l: StockLevels, quantity: number): { levels: StockLevels; oversold: number } {
  return countOversold(l, { ...l, reserved: l.reserved - quantity, sold: l.sold + quantity });
}

/**
 * Sells units that are no longer held (their reservation already gave them back): what the broken commit
 * does. Available may go negative; the units sold beyond what was received are counted as oversold.
 */
export function sellUnheld(l: StockLevels, quantity: number): { levels: StockLevels; oversold: number } {
  return countOversold(l, { ...l, available: l.available - quantity, sold: l.sold + quantity });
}

/** Adds (delta > 0) or removes (delta < 0) on-hand units; never removes units that are reserved or sold. */
export function adjust(l: StockLevels, delta: number): StockLevels {
  if (l.available + delta < 0)
    throw new DomainError('INSUFFICIENT_STOCK', `only ${l.available} available to remove, asked ${-delta}`);
  return { ...l, available: l.available + delta, received: l.received + delta };
}

export interface WarehouseStock extends StockLevels {
  warehouseId: string;
  region: string;
  /** Reservation id → units, for the reservations this row still holds. */
  holds: Record<string, number>;
  version: number;
}

/** What a reservation should do with a SKU's rows in its region. */
export type ReservePlan =
  | { kind: 'already-held'; warehouseId: string }
  | { kind: 'take'; row: WarehouseStock; next: StockLevels }
  | { kind: 'insufficient'; available: number };

/**
 * Picks the warehouse to reserve from: the one already holding this reservation (a retried attempt), or
 * else the one with the most available units that can cover the whole quantity (one reservation, one
 * warehouse, as the events carry one warehouse id).
 */
export function planReserve(rows: WarehouseStock[], reservationId: string, quantity: number): ReservePlan {
  const holding = rows.find((r) => r.holds[reservationId] !== undefined);
  if (holding) return { kind: 'already-held', warehouseId: holding.warehouseId };
  const best = [...rows].sort((a, b) => b.available - a.available)[0];
  if (!best || best.available < quantity)
    return { kind: 'insufficient', available: rows.reduce((s, r) => s + Math.max(0, r.available), 0) };
  return { kind: 'take', row: best, next: reserve(best, quantity) };
}

export interface ReservationView {
  status: ReservationStatus;
  expiresAt: Date;
}

export function isExpired(r: ReservationView, now: Date): boolean {
  return now.getTime() >= r.expiresAt.getTime();
}

/** What a commit request may do with a reservation in `mode`. */
export type CommitDecision =
  | { kind: 'already-committed' }
  | { kind: 'commit'; from: ReservationStatus; afterExpiry: boolean }
  | { kind: 'expire-then-refuse' }
  | { kind: 'refuse'; code: 'RESERVATION_EXPIRED' | 'RESERVATION_NOT_ACTIVE' };

/**
 * fixed: only a reservation still `reserved` and before its expiry commits. broken: the original system's
 * check was missing, so anything not already committed commits — including units the expiry gave back.
 */
export function decideCommit(r: ReservationView, now: Date, mode: CommitMode): CommitDecision {
  if (r.status === 'committed') return { kind: 'already-committed' };
  const expired = isExpired(r, now);
  if (mode === 'broken') {
    if (r.status === 'pending' || r.status === 'rejected')
      return { kind: 'refuse', code: 'RESERVATION_NOT_ACTIVE' };
    return { kind: 'commit', from: r.status, afterExpiry: expired || r.status !== 'reserved' };
  }
  if (r.status === 'expired') return { kind: 'refuse', code: 'RESERVATION_EXPIRED' };
  if (r.status !== 'reserved') return { kind: 'refuse', code: 'RESERVATION_NOT_ACTIVE' };
  if (expired) return { kind: 'expire-then-refuse' };
  return { kind: 'commit', from: 'reserved', afterExpiry: false };
}

/** What the stock must do for a reservation whose hold is being settled, given its final status. */
export function settlementOf(status: ReservationStatus | undefined): 'sell' | 'return' | 'keep' {
  if (status === 'committed') return 'sell';
  if (status === 'reserved' || status === 'pending') return 'keep';
  // released, expired, rejected, or a reservation row that no longer exists: the units go back.
  return 'return';
}

/** Statuses that publish an event, and so are re-emitted when their event was not yet written. */
export const emittingStatuses: ReadonlySet<ReservationStatus> = new Set([
  'reserved',
  'committed',
  'released',
  'expired',
]);

/** A UUID-shaped name derived from its parts: the same parts always give the same id. */
export function derivedId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\n')).digest('hex');
  // Version 8 (custom) with the RFC 9562 variant, so it validates as a UUID everywhere.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((Number.parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** One order reserves a SKU once: a retried reserve for the same checkout lands on the same reservation. */
export function reservationIdFor(orderId: string, sku: string): string {
  return derivedId('reservation', orderId, sku);
}

/** The event of a reservation reaching `status` has one id, however often it is written. */
export function eventIdFor(reservationId: string, status: ReservationStatus): string {
  return derivedId('event', reservationId, status);
}
