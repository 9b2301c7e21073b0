// Card data is reduced at the edge: the number and CVC are used to compute a token, the last four digits and
// the brand, and are then dropped. Nothing downstream (database, events, logs, responses) ever sees them.
import { createHmac } from 'node:crypto';
import { DomainError } from '@shop/common';

export interface RawCard {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
}

export interface ReducedCard {
  token: string;
  last4: string | null;
  brand: string;
}

/** Luhn checksum: catches mistyped numbers before they reach the PSP. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function brandOf(digits: string): string {
  if (/^4/.test(digits)) return 'visa';
  if (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(digits)) return 'mastercard';
  if (/^3[47]/.test(digits)) return 'amex';
  return 'unknown';
}

/** Token, last four and brand of a card; `secret` keys the hash so tokens cannot be reversed by enumeration. */
export function reduceCard(card: RawCard, secret: string, now: Date): ReducedCard {
  const digits = card.number.replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(digits) || !luhnValid(digits)) {
    throw new DomainError('INVALID_CARD', 'card.number is not a valid card number', {
      field: 'body.card.number',
    });
  }
  const endOfExpiryMonth = Date.UTC(card.expYear, card.expMonth, 1);
  if (endOfExpiryMonth <= now.getTime()) {
    throw new DomainError('INVALID_CARD', 'the card has expired', { field: 'body.card.expYear' });
  }
  const token = `tok_${createHmac('sha256', secret).update(digits).digest('hex').slice(0, 32)}`;
  return { token, last4: digits.slice(-4), brand: brandOf(digits) };
}
