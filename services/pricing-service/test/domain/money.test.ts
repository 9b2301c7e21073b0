import { describe, expect, it } from 'vitest';
import {
  divRoundHalfEven,
  formatDecimal,
  parseDecimal,
  ratioToDecimalString,
} from '../../src/domain/money.js';

describe('divRoundHalfEven', () => {
  it('rounds a tie to the even neighbour, both ways', () => {
    expect(divRoundHalfEven(25n, 10n)).toBe(2n);
    expect(divRoundHalfEven(35n, 10n)).toBe(4n);
    expect(divRoundHalfEven(125n, 100n)).toBe(1n);
    expect(divRoundHalfEven(-25n, 10n)).toBe(-2n);
    expect(divRoundHalfEven(-35n, 10n)).toBe(-4n);
  });

  it('rounds anything but a tie to the nearest', () => {
    expect(divRoundHalfEven(14n, 10n)).toBe(1n);
    expect(divRoundHalfEven(16n, 10n)).toBe(2n);
    expect(divRoundHalfEven(-16n, 10n)).toBe(-2n);
    expect(divRoundHalfEven(20n, 10n)).toBe(2n);
    expect(divRoundHalfEven(1n, 3n)).toBe(0n);
    expect(divRoundHalfEven(2n, 3n)).toBe(1n);
  });

  it('takes a negative divisor and refuses zero', () => {
    expect(divRoundHalfEven(25n, -10n)).toBe(-2n);
    expect(() => divRoundHalfEven(1n, 0n)).toThrow(RangeError);
  });
});

describe('parseDecimal and formatDecimal', () => {
  it('reads plain decimals exactly and writes them back in shortest form', () => {
    expect(parseDecimal('1.0834')).toEqual({ units: 10834n, scale: 4 });
    expect(parseDecimal('90')).toEqual({ units: 90n, scale: 0 });
    expect(parseDecimal('1.50')).toEqual({ units: 15n, scale: 1 });
    expect(parseDecimal('0.000000000001')).toEqual({ units: 1n, scale: 12 });
    expect(formatDecimal({ units: 10834n, scale: 4 })).toBe('1.0834');
    expect(formatDecimal({ units: 5n, scale: 3 })).toBe('0.005');
    expect(formatDecimal({ units: 1500n, scale: 3 })).toBe('1.5');
    expect(formatDecimal({ units: 90n, scale: 0 })).toBe('90');
  });

  it('refuses signs, exponents, bare points and too many digits', () => {
    for (const bad of ['-1', '+1', '1e5', '.5', '1.', '', '1,5', '1.0000000000001', '1234567890123']) {
      expect(parseDecimal(bad), bad).toBeUndefined();
    }
  });

  it('writes a ratio with at most the given decimals, half-even', () => {
    expect(ratioToDecimalString(1n, 3n, 4)).toBe('0.3333');
    expect(ratioToDecimalString(2n, 3n, 4)).toBe('0.6667');
    expect(ratioToDecimalString(1n, 8n, 2)).toBe('0.12');
    expect(ratioToDecimalString(3n, 8n, 2)).toBe('0.38');
    expect(ratioToDecimalString(90n, 1n)).toBe('90');
  });
});
