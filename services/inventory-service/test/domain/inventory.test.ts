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
    l = sellHeld(l, 3);
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

  it('counts as oversold only the units sold below zero, and stays conserved', () => {
    const empty = reserve(stocked, 10); // all held by others
    const { levels, oversold } = sellUnheld(empty, 2);
    expect(oversold).toBe(2);
    expect(levels).toMatchObject({ available: -2, reserved: 10, sold: 2, oversold: 2 });
    expect(isConserved(levels)).toBe(true);
    expect(sellUnheld(stocked, 3).oversold).toBe(0);
    expect(sellUnheld(reserve(stocked, 9), 3).oversold).toBe(2);
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
