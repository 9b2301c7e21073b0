import { describe, expect, it } from 'vitest';
import {
  adjust,
  decideCommit,
  emptyLevels,
  eventIdFor,
  isConserved,
  planReserve,
  reservationIdFor,
  reserve,
  sellHeld,
  sellUnheld,
  settlementOf,
  unhold,
  type WarehouseStock,
} from '../../src/domain/inventory.js';

const now = new Date('2026-06-30T12:00:00Z');
const later = (s: number) => new Date(now.getTime() + s * 1000);
const stocked = adjust(emptyLevels, 10);

function row(warehouseId: string, available: number, holds: Record<string, number> = {}): WarehouseStock {
  return { ...adjust(emptyLevels, available), warehouseId, region: 'eu-west', holds, version: 1 };
}

describe('stock arithmetic', () => {
  it('conserves units through reserve, release and sale', () => {
    let l = reserve(stocked, 4);
    expect(l).toMatchObject({ available: 6, reserved: 4 });
    l = unhold(l, 1);
    l = sellHeld(l, 3).levels;
    expect(l).toMatchObject({ available: 7, reserved: 0, sold: 3, received: 10 });
    expect(isConserved(l)).toBe(true);
  });

  it('refuses to reserve more than is available', () => {
    expect(() => reserve(stocked, 11)).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_STOCK' }));
  });

  it('refuses to remove units that are reserved', () => {
    expect(() => adjust(reserve(stocked, 8), -3)).toThrow(
      expect.objectContaining({ code: 'INSUFFICIENT_STOCK' }),
    );
  });

  it('counts as oversold only the units sold beyond what was received, and stays conserved', () => {
    const empty = reserve(stocked, 10); // all held by others
    const { levels, oversold } = sellUnheld(empty, 2);
    // Available is negative, but the ten held units may still go back: nothing is sold twice yet.
    expect(oversold).toBe(0);
    expect(levels).toMatchObject({ available: -2, reserved: 10, sold: 2, oversold: 0 });
    expect(isConserved(levels)).toBe(true);
    // The holders buy: the last two of their units were already sold.
    const bought = sellHeld(levels, 10);
    expect(bought.oversold).toBe(2);
    expect(bought.levels).toMatchObject({ available: -2, reserved: 0, sold: 12, oversold: 2, received: 10 });
    expect(sellUnheld(stocked, 3).oversold).toBe(0);
    expect(sellUnheld(sellHeld(reserve(stocked, 9), 9).levels, 3).oversold).toBe(2);
  });

  it('does not count a unit twice when an expiry hands back units of an oversold row', () => {
    // 4 received; 4 held by wave-2 buyers; 4 sold by broken commits of reservations that had expired.
    let l = reserve(adjust(emptyLevels, 4), 4);
    let oversold = 0;
    for (let i = 0; i < 4; i++) {
      const sale = sellUnheld(l, 1);
      l = sale.levels;
      oversold += sale.oversold;
    }
    // One wave-2 reservation expires before its commit (units back), then commits broken anyway.
    l = unhold(l, 1);
    const late = sellUnheld(l, 1);
    l = late.levels;
    oversold += late.oversold;
    for (let i = 0; i < 3; i++) {
      const sale = sellHeld(l, 1);
      l = sale.levels;
      oversold += sale.oversold;
    }
    expect(l).toMatchObject({ available: -4, reserved: 0, sold: 8, received: 4 });
    expect(isConserved(l)).toBe(true);
    expect(l.oversold).toBe(l.sold - l.received);
    expect(oversold).toBe(4);
  });

  it('keeps the count when a receipt covers an oversold row, and counts new oversells beyond it', () => {
    let l = sellUnheld(adjust(emptyLevels, 1), 3).levels;
    expect(l).toMatchObject({ sold: 3, oversold: 2 });
    l = adjust(l, 5); // received 6, sold 3
    expect(l.oversold).toBe(2);
    const more = sellUnheld(l, 4); // sold 7: one beyond the 6 received
    expect(more.oversold).toBe(1);
    expect(more.levels.oversold).toBe(3);
  });
});

describe('planReserve', () => {
  it('takes from the warehouse with the most available that covers the quantity', () => {
    const plan = planReserve([row('a', 2), row('b', 5)], 'r1', 3);
    expect(plan).toMatchObject({
      kind: 'take',
      row: { warehouseId: 'b' },
      next: { available: 2, reserved: 3 },
    });
  });

  it('reuses the hold of an earlier attempt instead of taking twice', () => {
    expect(planReserve([row('a', 5), row('b', 1, { r1: 3 })], 'r1', 3)).toEqual({
      kind: 'already-held',
      warehouseId: 'b',
    });
  });

  it('answers insufficient when no single warehouse can cover it', () => {
    expect(planReserve([row('a', 2), row('b', 2)], 'r1', 3)).toEqual({ kind: 'insufficient', available: 4 });
    expect(planReserve([], 'r1', 1)).toEqual({ kind: 'insufficient', available: 0 });
  });
});

describe('decideCommit', () => {
  const live = { status: 'reserved' as const, expiresAt: later(60) };
  const lapsed = { status: 'reserved' as const, expiresAt: later(-1) };

  it('commits a live reservation in both modes', () => {
    expect(decideCommit(live, now, 'fixed')).toEqual({
      kind: 'commit',
      from: 'reserved',
      afterExpiry: false,
    });
    expect(decideCommit(live, now, 'broken')).toEqual({
      kind: 'commit',
      from: 'reserved',
      afterExpiry: false,
    });
  });

  it('fixed: expires a lapsed reservation and refuses; refuses expired and released ones', () => {
    expect(decideCommit(lapsed, now, 'fixed')).toEqual({ kind: 'expire-then-refuse' });
    expect(decideCommit({ ...lapsed, status: 'expired' }, now, 'fixed')).toEqual({
      kind: 'refuse',
      code: 'RESERVATION_EXPIRED',
    });
    expect(decideCommit({ ...live, status: 'released' }, now, 'fixed')).toEqual({
      kind: 'refuse',
      code: 'RESERVATION_NOT_ACTIVE',
    });
  });

  it('broken: commits what already expired, flagged as after expiry', () => {
    expect(decideCommit({ ...lapsed, status: 'expired' }, now, 'broken')).toEqual({
      kind: 'commit',
      from: 'expired',
      afterExpiry: true,
    });
    expect(decideCommit(lapsed, now, 'broken')).toMatchObject({ kind: 'commit', afterExpiry: true });
  });

  it('answers an already committed reservation as it is', () => {
    expect(decideCommit({ ...live, status: 'committed' }, now, 'fixed')).toEqual({
      kind: 'already-committed',
    });
  });
});

describe('settlementOf', () => {
  it('sells committed, keeps live, returns everything else', () => {
    expect(settlementOf('committed')).toBe('sell');
    expect(settlementOf('reserved')).toBe('keep');
    expect(settlementOf('pending')).toBe('keep');
    for (const s of ['released', 'expired', 'rejected', undefined] as const)
      expect(settlementOf(s)).toBe('return');
  });
});

describe('derived ids', () => {
  it('gives one reservation per order and SKU, and one event per status', () => {
    expect(reservationIdFor('o1', 'sku-1')).toBe(reservationIdFor('o1', 'sku-1'));
    expect(reservationIdFor('o1', 'sku-1')).not.toBe(reservationIdFor('o1', 'sku-2'));
    expect(reservationIdFor('o1', 'sku-1')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(eventIdFor('r', 'reserved')).not.toBe(eventIdFor('r', 'committed'));
  });
});
