import { DomainError } from '@shop/common';
import { describe, expect, it } from 'vitest';
import {
  addLine,
  applyReprice,
  assertCheckoutable,
  type Cart,
  changeQuantity,
  linesToReprice,
  MAX_LINE_QUANTITY,
  MAX_LINES,
  markCheckedOut,
  markMerged,
  mergeCarts,
  type PriceSnapshot,
  quantityAfterAdd,
  removeLine,
  subtotal,
} from '../../src/domain/cart.js';
import { buildCheckout } from '../../src/domain/checkout.js';

const t0 = new Date('2030-01-01T10:00:00.000Z');
const later = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

function cart(overrides: Partial<Cart> = {}): Cart {
  return {
    id: 'c1',
    customerId: 'u1',
    region: 'eu-west',
    currency: 'EUR',
    status: 'open',
    version: 1,
    mergedInto: null,
    lines: [],
    createdAt: t0.toISOString(),
    updatedAt: t0.toISOString(),
    ...overrides,
  };
}

function snap(unitPriceMinor: number, at = t0, currency = 'EUR'): PriceSnapshot {
  return {
    quoteId: `q-${unitPriceMinor}`,
    unitPriceMinor,
    currency,
    rulesApplied: ['base'],
    pricedAt: at.toISOString(),
  };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
  return undefined;
}

describe('addLine', () => {
  it('adds a line with its snapshot and moves the version forward', () => {
    const { cart: next, line } = addLine(
      cart(),
      { sku: 'A', name: 'Apple', quantity: 2, snapshot: snap(150) },
      t0,
    );
    expect(line).toMatchObject({
      sku: 'A',
      quantity: 2,
      unitPriceMinor: 150,
      quoteId: 'q-150',
      needsReprice: false,
    });
    expect(next.version).toBe(2);
    expect(subtotal(next)).toBe(300);
  });

  it('adds to an existing line and takes the new snapshot for the whole line', () => {
    const one = addLine(cart(), { sku: 'A', name: 'Apple', quantity: 2, snapshot: snap(150) }, t0).cart;
    const two = addLine(
      one,
      { sku: 'A', name: 'Apple', quantity: 3, snapshot: snap(140, later(5)) },
      later(5),
    );
    expect(two.cart.lines).toHaveLength(1);
    expect(two.line).toMatchObject({ quantity: 5, unitPriceMinor: 140, addedAt: t0.toISOString() });
    expect(subtotal(two.cart)).toBe(700);
  });

  it('refuses a line above the per-line limit, a full cart, a closed cart and a foreign currency', () => {
    const base = addLine(
      cart(),
      { sku: 'A', name: 'A', quantity: MAX_LINE_QUANTITY, snapshot: snap(1) },
      t0,
    ).cart;
    expect(codeOf(() => quantityAfterAdd(base, 'A', 1))).toBe('QUANTITY_LIMIT');
    const lines = Array.from({ length: MAX_LINES }, (_, i) => ({
      ...base.lines[0]!,
      sku: `S${i}`,
    }));
    expect(
      codeOf(() => addLine(cart({ lines }), { sku: 'NEW', name: 'N', quantity: 1, snapshot: snap(1) }, t0)),
    ).toBe('CART_LINE_LIMIT');
    expect(
      codeOf(() =>
        addLine(cart({ status: 'checked_out' }), { sku: 'A', name: 'A', quantity: 1, snapshot: snap(1) }, t0),
      ),
    ).toBe('CART_NOT_OPEN');
    expect(
      codeOf(() => addLine(cart(), { sku: 'A', name: 'A', quantity: 1, snapshot: snap(1, t0, 'USD') }, t0)),
    ).toBe('PRICE_UNAVAILABLE');
  });
});

describe('changeQuantity and removeLine', () => {
  const base = addLine(cart(), { sku: 'A', name: 'A', quantity: 2, snapshot: snap(100) }, t0).cart;

  it('sets a quantity with its own snapshot', () => {
    const next = changeQuantity(base, 'A', 10, snap(90, later(1)), later(1));
    expect(next.lines[0]).toMatchObject({ quantity: 10, unitPriceMinor: 90 });
  });

  it('answers LINE_NOT_FOUND for a SKU not in the cart', () => {
    expect(codeOf(() => changeQuantity(base, 'B', 1, snap(1), t0))).toBe('LINE_NOT_FOUND');
    expect(codeOf(() => removeLine(base, 'B', t0))).toBe('LINE_NOT_FOUND');
  });

  it('removes a line', () => {
    expect(removeLine(base, 'A', t0).lines).toEqual([]);
  });
});

describe('mergeCarts', () => {
  const target = addLine(cart(), { sku: 'A', name: 'A', quantity: 2, snapshot: snap(100) }, t0).cart;
  const guestBase = cart({ id: 'g1', customerId: null });
  const guest = addLine(
    addLine(guestBase, { sku: 'A', name: 'A', quantity: 3, snapshot: snap(95, later(10)) }, later(10)).cart,
    { sku: 'B', name: 'B', quantity: 1, snapshot: snap(500, later(10)) },
    later(10),
  ).cart;

  it('moves new SKUs, adds up shared SKUs and marks them for re-pricing', () => {
    const merged = mergeCarts(target, guest, later(20));
    const a = merged.cart.lines.find((l) => l.sku === 'A')!;
    expect(a).toMatchObject({ quantity: 5, unitPriceMinor: 95, needsReprice: true });
    expect(merged.cart.lines.find((l) => l.sku === 'B')).toMatchObject({ quantity: 1, needsReprice: false });
    expect(merged.added.map((x) => [x.line.sku, x.quantityAdded])).toEqual([
      ['A', 3],
      ['B', 1],
    ]);
    expect(merged.capped).toEqual([]);
  });

  it('caps a summed quantity at the per-line limit and says so', () => {
    const big = changeQuantity(guest, 'A', MAX_LINE_QUANTITY, snap(95), later(11));
    const merged = mergeCarts(target, big, later(20));
    expect(merged.cart.lines.find((l) => l.sku === 'A')!.quantity).toBe(MAX_LINE_QUANTITY);
    expect(merged.capped).toEqual(['A']);
  });

  it('refuses other regions, other currencies, customer carts and closed carts', () => {
    expect(codeOf(() => mergeCarts(target, { ...guest, region: 'us-east' }, t0))).toBe('REGION_MISMATCH');
    expect(codeOf(() => mergeCarts(target, { ...guest, currency: 'USD' }, t0))).toBe('CURRENCY_MISMATCH');
    expect(codeOf(() => mergeCarts(target, { ...guest, customerId: 'u2' }, t0))).toBe('NOT_A_GUEST_CART');
    expect(codeOf(() => mergeCarts(target, markMerged(guest, 'c9', t0), t0))).toBe('CART_NOT_OPEN');
  });
});

describe('re-pricing at checkout', () => {
  const base = addLine(
    addLine(cart(), { sku: 'A', name: 'A', quantity: 2, snapshot: snap(100, t0) }, t0).cart,
    { sku: 'B', name: 'B', quantity: 1, snapshot: snap(500, later(600)) },
    later(600),
  ).cart;

  it('picks lines older than the age, and lines a merge marked', () => {
    expect(linesToReprice(base, later(900), 900).map((l) => l.sku)).toEqual(['A']);
    expect(linesToReprice(base, later(899), 900)).toEqual([]);
    const marked = {
      ...base,
      lines: base.lines.map((l) => (l.sku === 'B' ? { ...l, needsReprice: true } : l)),
    };
    expect(linesToReprice(marked, later(10), 900).map((l) => l.sku)).toEqual(['B']);
  });

  it('applies fresh prices and shows the difference per line and in total', () => {
    const fresh = new Map([['A', snap(120, later(1000))]]);
    const { cart: repriced, changes } = applyReprice(base, fresh, later(1000));
    expect(changes).toEqual([
      expect.objectContaining({
        sku: 'A',
        previousUnitPriceMinor: 100,
        unitPriceMinor: 120,
        differenceMinor: 40,
      }),
    ]);
    const closed = markCheckedOut(repriced, later(1000));
    const checkout = buildCheckout({
      checkoutId: 'k1',
      before: base,
      after: closed,
      repricedSkus: ['A'],
      priceChanges: changes,
      now: later(1000),
    });
    expect(checkout).toMatchObject({
      subtotalMinor: 740,
      previousSubtotalMinor: 700,
      differenceMinor: 40,
      itemCount: 3,
      repricedSkus: ['A'],
    });
    expect(closed.status).toBe('checked_out');
  });

  it('refuses to check out an empty cart, a guest cart or a closed cart', () => {
    expect(codeOf(() => assertCheckoutable(cart()))).toBe('CART_EMPTY');
    expect(codeOf(() => assertCheckoutable({ ...base, customerId: null }))).toBe('CHECKOUT_NEEDS_CUSTOMER');
    expect(codeOf(() => assertCheckoutable({ ...base, status: 'checked_out' }))).toBe('CART_NOT_OPEN');
  });
});
