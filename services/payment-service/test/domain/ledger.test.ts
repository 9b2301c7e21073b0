import { describe, expect, it } from 'vitest';
import {
  accountCodes,
  assertBalanced,
  authorizeEntry,
  balances,
  captureEntry,
  refundEntry,
  voidEntry,
} from '../../src/domain/ledger.js';

const sum = (lines: { amountMinor: number }[]) => lines.reduce((s, l) => s + l.amountMinor, 0);

describe('ledger entries', () => {
  it('balances every entry to zero', () => {
    for (const e of [
      authorizeEntry('EUR', 1000),
      voidEntry('EUR', 1000),
      captureEntry('EUR', 1000, 1000),
      captureEntry('EUR', 1000, 600),
      refundEntry('EUR', 250),
    ]) {
      expect(sum(e.lines)).toBe(0);
      expect(e.lines.length).toBeGreaterThanOrEqual(2);
    }
  });

  it('settles the customer and books only the captured part as revenue', () => {
    const b = balances([authorizeEntry('EUR', 1000), captureEntry('EUR', 1000, 600)]);
    expect(b).toEqual({
      customer_funds: 0,
      authorization_holds: 0,
      psp_clearing: 600,
      merchant_revenue: -600,
      refunds: 0,
    });
  });

  it('closes holds and clearing after authorize, capture and a full refund', () => {
    const b = balances([
      authorizeEntry('EUR', 1000),
      captureEntry('EUR', 1000, 1000),
      refundEntry('EUR', 1000),
    ]);
    expect(b.authorization_holds).toBe(0);
    expect(b.psp_clearing).toBe(0);
    expect(b.refunds).toBe(1000);
    expect(b.merchant_revenue).toBe(-1000);
    expect(accountCodes.reduce((s, c) => s + b[c], 0)).toBe(0);
  });

  it('leaves nothing held after authorize and void', () => {
    const b = balances([authorizeEntry('EUR', 500), voidEntry('EUR', 500)]);
    expect(Object.values(b).every((v) => v === 0)).toBe(true);
  });

  it('refuses an entry that does not sum to zero', () => {
    expect(() =>
      assertBalanced({
        kind: 'capture',
        currency: 'EUR',
        lines: [
          { account: 'psp_clearing', amountMinor: 100 },
          { account: 'merchant_revenue', amountMinor: -99 },
        ],
      }),
    ).toThrow(expect.objectContaining({ code: 'LEDGER_UNBALANCED' }));
  });

  it('refuses a one-line entry and fractional amounts', () => {
    expect(() =>
      assertBalanced({ kind: 'refund', currency: 'EUR', lines: [{ account: 'refunds', amountMinor: 0 }] }),
    ).toThrow(expect.objectContaining({ code: 'LEDGER_UNBALANCED' }));
    expect(() =>
      assertBalanced({
        kind: 'refund',
        currency: 'EUR',
        lines: [
          { account: 'refunds', amountMinor: 0.5 },
          { account: 'psp_clearing', amountMinor: -0.5 },
        ],
      }),
    ).toThrow(expect.objectContaining({ code: 'LEDGER_UNBALANCED' }));
  });
});
