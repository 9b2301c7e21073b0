import { DomainError } from '@shop/common';
import { describe, expect, it } from 'vitest';
import {
  assertTransition,
  canTransition,
  contractStatus,
  isFinal,
  orderStatuses,
  priceLines,
  transitions,
} from '../../src/domain/order.js';

describe('order status machine', () => {
  it('follows the happy path pending → reserved → paid → confirmed → fulfilled', () => {
    const path = ['pending', 'reserved', 'paid', 'confirmed', 'fulfilled'] as const;
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1]!, path[i]!)).toBe(true);
  });

  it('cancels before money is captured and refunds after', () => {
    expect(canTransition('pending', 'cancelled')).toBe(true);
    expect(canTransition('reserved', 'cancelled')).toBe(true);
    expect(canTransition('paid', 'cancelled')).toBe(true);
    expect(canTransition('paid', 'refunded')).toBe(true);
    expect(canTransition('confirmed', 'refunded')).toBe(true);
    expect(canTransition('fulfilled', 'refunded')).toBe(true);
    expect(canTransition('confirmed', 'cancelled')).toBe(false);
    expect(canTransition('pending', 'refunded')).toBe(false);
  });

  it('refuses skipping steps, going back and staying put', () => {
    expect(canTransition('pending', 'paid')).toBe(false);
    expect(canTransition('pending', 'confirmed')).toBe(false);
    expect(canTransition('paid', 'reserved')).toBe(false);
    expect(canTransition('fulfilled', 'confirmed')).toBe(false);
    for (const s of orderStatuses) expect(canTransition(s, s)).toBe(false);
  });

  it('treats cancelled and refunded as final', () => {
    expect(isFinal('cancelled')).toBe(true);
    expect(isFinal('refunded')).toBe(true);
    for (const to of orderStatuses) {
      expect(canTransition('cancelled', to)).toBe(false);
      expect(canTransition('refunded', to)).toBe(false);
    }
  });

  it('throws ILLEGAL_TRANSITION naming the allowed moves', () => {
    try {
      assertTransition('pending', 'confirmed');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).code).toBe('ILLEGAL_TRANSITION');
      expect((err as DomainError).message).toContain('reserved, cancelled');
    }
    expect(() => assertTransition('cancelled', 'pending')).toThrow(/final/);
    expect(() => assertTransition('reserved', 'paid')).not.toThrow();
  });

  it('maps every status onto a symbol of the order.status.changed.v1 contract', () => {
    expect(Object.keys(contractStatus).sort()).toEqual([...orderStatuses].sort());
    expect(Object.keys(transitions).sort()).toEqual([...orderStatuses].sort());
  });
});

describe('priceLines', () => {
  it('totals lines in integer minor units', () => {
    const { lines, subtotalMinor } = priceLines([
      { sku: 'A', quantity: 3, unitPriceMinor: 1999 },
      { sku: 'B', quantity: 1, unitPriceMinor: 1 },
    ]);
    expect(lines.map((l) => l.lineTotalMinor)).toEqual([5997, 1]);
    expect(subtotalMinor).toBe(5998);
  });

  it('refuses a SKU on two lines and totals beyond the limit', () => {
    expect(() =>
      priceLines([
        { sku: 'A', quantity: 1, unitPriceMinor: 1 },
        { sku: 'A', quantity: 1, unitPriceMinor: 1 },
      ]),
    ).toThrow(expect.objectContaining({ code: 'DUPLICATE_SKU' }));
    expect(() => priceLines([{ sku: 'A', quantity: 1000, unitPriceMinor: 1_000_000_000_000 }])).toThrow(
      expect.objectContaining({ code: 'TOTAL_TOO_LARGE' }),
    );
  });
});
