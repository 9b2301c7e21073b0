import { describe, expect, it } from 'vitest';
import {
  authorize,
  canTransition,
  capture,
  type Payment,
  type PaymentStatus,
  paymentStatuses,
  refund,
  remainingRefundable,
  voidPayment,
} from '../../src/domain/payment.js';

const now = new Date('2026-01-01T00:00:00Z');

function payment(overrides: Partial<Payment> = {}): Payment {
  return {
    id: 'p1',
    orderId: 'o1',
    customerId: 'c1',
    region: 'eu-west',
    currency: 'EUR',
    amountMinor: 1000,
    capturedMinor: 0,
    refundedMinor: 0,
    status: 'pending',
    card: null,
    pspReference: null,
    failureReason: null,
    expiresAt: null,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    ...overrides,
  };
}

describe('payment state machine', () => {
  it('allows exactly the documented transitions', () => {
    const allowed: Record<string, PaymentStatus[]> = {
      authorize: ['pending'],
      decline: ['pending'],
      capture: ['authorized'],
      void: ['authorized'],
      refund: ['captured', 'partially_refunded'],
    };
    for (const [op, from] of Object.entries(allowed)) {
      for (const status of paymentStatuses) {
        expect(canTransition(status, op as never), `${op} from ${status}`).toBe(from.includes(status));
      }
    }
  });

  it('authorises a pending payment for its whole amount', () => {
    const change = authorize(payment());
    expect(change.status).toBe('authorized');
    expect(change.entry.kind).toBe('authorize');
  });

  it('refuses to capture a voided payment with ILLEGAL_TRANSITION', () => {
    expect(() => capture(payment({ status: 'voided' }), now)).toThrow(
      expect.objectContaining({ code: 'ILLEGAL_TRANSITION' }),
    );
  });

  it('refuses to void a captured payment', () => {
    expect(() => voidPayment(payment({ status: 'captured', capturedMinor: 1000 }))).toThrow(
      expect.objectContaining({ code: 'ILLEGAL_TRANSITION' }),
    );
  });

  it('captures part of an authorisation, never more than it', () => {
    const authorized = payment({ status: 'authorized' });
    expect(capture(authorized, now, 600).capturedMinor).toBe(600);
    expect(() => capture(authorized, now, 1001)).toThrow(
      expect.objectContaining({ code: 'AMOUNT_EXCEEDS_AUTHORIZED' }),
    );
  });

  it('refuses to capture a lapsed authorisation', () => {
    const lapsed = payment({ status: 'authorized', expiresAt: '2025-12-31T23:59:59.000Z' });
    expect(() => capture(lapsed, now)).toThrow(expect.objectContaining({ code: 'AUTHORIZATION_EXPIRED' }));
  });

  it('refunds in parts until nothing remains', () => {
    let p = payment({ status: 'captured', capturedMinor: 1000 });
    const first = refund(p, 300);
    expect(first.status).toBe('partially_refunded');
    p = { ...p, status: first.status, refundedMinor: first.refundedMinor };
    expect(remainingRefundable(p)).toBe(700);
    expect(() => refund(p, 701)).toThrow(expect.objectContaining({ code: 'AMOUNT_EXCEEDS_REMAINING' }));
    const rest = refund(p);
    expect(rest.amountMinor).toBe(700);
    expect(rest.status).toBe('refunded');
    expect(() => refund({ ...p, status: 'refunded', refundedMinor: 1000 }, 1)).toThrow(
      expect.objectContaining({ code: 'ILLEGAL_TRANSITION' }),
    );
  });
});
