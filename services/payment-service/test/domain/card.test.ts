import { describe, expect, it } from 'vitest';
import { brandOf, luhnValid, reduceCard } from '../../src/domain/card.js';

const secret = 'test-secret-test-secret-test-secret!!';
const now = new Date('2026-01-01T00:00:00Z');

describe('card reduction', () => {
  it('keeps a keyed token, the last four digits and the brand, never the number', () => {
    const card = reduceCard(
      { number: '4242 4242 4242 4242', expMonth: 12, expYear: 2030, cvc: '123' },
      secret,
      now,
    );
    expect(card).toEqual({
      token: expect.stringMatching(/^tok_[0-9a-f]{32}$/),
      last4: '4242',
      brand: 'visa',
    });
    expect(JSON.stringify(card)).not.toContain('424242424242');
  });

  it('gives the same card the same token and another secret another token', () => {
    const raw = { number: '5555555555554444', expMonth: 1, expYear: 2031, cvc: '999' };
    expect(reduceCard(raw, secret, now).token).toBe(reduceCard(raw, secret, now).token);
    expect(reduceCard(raw, `${secret}x`, now).token).not.toBe(reduceCard(raw, secret, now).token);
  });

  it('refuses a number failing the Luhn check and an expired card', () => {
    expect(() =>
      reduceCard({ number: '4242424242424241', expMonth: 1, expYear: 2030, cvc: '123' }, secret, now),
    ).toThrow(expect.objectContaining({ code: 'INVALID_CARD' }));
    expect(() =>
      reduceCard({ number: '4242424242424242', expMonth: 12, expYear: 2025, cvc: '123' }, secret, now),
    ).toThrow(expect.objectContaining({ code: 'INVALID_CARD' }));
  });

  it('knows the common brands', () => {
    expect(brandOf('5105105105105100')).toBe('mastercard');
    expect(brandOf('378282246310005')).toBe('amex');
    expect(luhnValid('378282246310005')).toBe(true);
  });
});
