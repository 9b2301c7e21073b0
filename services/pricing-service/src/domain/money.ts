// Money and exact arithmetic. Amounts are integers in a currency's minor unit; anything that divides
// (percentages, currency conversion) is computed on BigInt rationals and rounded once, half-even, to the
// minor unit, so no binary floating point ever touches a price.

/** Supported ISO 4217 currencies and their minor-unit exponents (JPY has none, KWD has three). */
export const currencyExponents = {
  EUR: 2,
  USD: 2,
  GBP: 2,
  CHF: 2,
  INR: 2,
  SGD: 2,
  AUD: 2,
  JPY: 0,
  KWD: 3,
} as const;

export type Currency = keyof typeof currencyExponents;
export const currencies = Object.keys(currencyExponents) as Currency[];

export function isCurrency(value: string): value is Currency {
  return Object.hasOwn(currencyExponents, value);
}

/** The largest base price accepted, in minor units; keeps every total of a quote far inside exact integers. */
export const MAX_AMOUNT_MINOR = 1_000_000_000;

/** n / d rounded half to even (banker's rounding); d must be non-zero. */
export function divRoundHalfEven(n: bigint, d: bigint): bigint {
  if (d === 0n) throw new RangeError('division by zero');
  if (d < 0n) return divRoundHalfEven(-n, -d);
  const q = n / d; // truncates toward zero
  const r = n % d; // same sign as n
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice < d) return q;
  const away = n < 0n ? q - 1n : q + 1n;
  if (twice > d) return away;
  return q % 2n === 0n ? q : away;
}

/** A positive decimal as an exact fraction: `1.0834` is 10834 / 10^4. */
export interface Decimal {
  units: bigint;
  scale: number;
}

const decimalPattern = /^(\d{1,12})(?:\.(\d{1,12}))?$/;

/** Parses a plain decimal string (no sign, no exponent); undefined when it is not one. */
export function parseDecimal(text: string): Decimal | undefined {
  const match = decimalPattern.exec(text);
  if (!match) return undefined;
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  return { units: BigInt(`${match[1]}${fraction}`), scale: fraction.length };
}

/** The decimal in its shortest plain form (`1.0834`, `90`). */
export function formatDecimal(value: Decimal): string {
  const digits = value.units.toString().padStart(value.scale + 1, '0');
  if (value.scale === 0) return digits;
  const whole = digits.slice(0, digits.length - value.scale);
  const fraction = digits.slice(digits.length - value.scale).replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole;
}

/** n / d as a decimal string with at most `places` decimals, half-even; for display only. */
export function ratioToDecimalString(n: bigint, d: bigint, places = 10): string {
  const scaled = divRoundHalfEven(n * 10n ** BigInt(places), d);
  return formatDecimal({ units: scaled, scale: places });
}
