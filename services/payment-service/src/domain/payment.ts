// The payment state machine and the amount rules of capture and refund. Pure: the repository loads a
// payment, asks these functions what the operation does, and writes the result with its ledger entry.
import { DomainError } from '@shop/common';
import { authorizeEntry, captureEntry, type Entry, refundEntry, voidEntry } from './ledger.js';

export const paymentStatuses = [
  'pending',
  'authorized',
  'captured',
  'partially_refunded',
  'refunded',
  'voided',
  'failed',
] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

export type Operation = 'authorize' | 'decline' | 'capture' | 'void' | 'refund';

export interface Payment {
  id: string;
  orderId: string;
  customerId: string;
  region: string;
  currency: string;
  amountMinor: number;
  capturedMinor: number;
  refundedMinor: number;
  status: PaymentStatus;
  card: { token: string; last4: string | null; brand: string } | null;
  pspReference: string | null;
  failureReason: string | null;
  expiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** From which states each operation may start. Everything else is an illegal transition (409). */
const allowedFrom: Record<Operation, readonly PaymentStatus[]> = {
  authorize: ['pending'],
  decline: ['pending'],
  capture: ['authorized'],
  void: ['authorized'],
  refund: ['captured', 'partially_refunded'],
};

export function canTransition(from: PaymentStatus, operation: Operation): boolean {
  return allowedFrom[operation].includes(from);
}

export function assertTransition(payment: Pick<Payment, 'id' | 'status'>, operation: Operation): void {
  if (!canTransition(payment.status, operation)) {
    throw new DomainError(
      'ILLEGAL_TRANSITION',
      `cannot ${operation} payment ${payment.id}: it is ${payment.status}`,
      { paymentStatus: payment.status, operation },
    );
  }
}

export interface Change {
  status: PaymentStatus;
  capturedMinor: number;
  refundedMinor: number;
  entry: Entry;
  /** The amount this operation moved. */
  amountMinor: number;
}

/** An approved authorisation: the whole amount is held. */
export function authorize(payment: Payment): Change {
  assertTransition(payment, 'authorize');
  return {
    status: 'authorized',
    capturedMinor: 0,
    refundedMinor: 0,
    entry: authorizeEntry(payment.currency, payment.amountMinor),
    amountMinor: payment.amountMinor,
  };
}

/** Captures `amountMinor` (default: all) of an authorisation that has not lapsed; one capture per payment. */
export function capture(payment: Payment, now: Date, amountMinor = payment.amountMinor): Change {
  assertTransition(payment, 'capture');
  if (payment.expiresAt && new Date(payment.expiresAt) <= now) {
    throw new DomainError('AUTHORIZATION_EXPIRED', `the authorisation lapsed at ${payment.expiresAt}`);
  }
  if (amountMinor > payment.amountMinor) {
    throw new DomainError(
      'AMOUNT_EXCEEDS_AUTHORIZED',
      `cannot capture ${amountMinor}: ${payment.amountMinor} ${payment.currency} was authorised`,
      { authorizedMinor: payment.amountMinor },
    );
  }
  return {
    status: 'captured',
    capturedMinor: amountMinor,
    refundedMinor: 0,
    entry: captureEntry(payment.currency, payment.amountMinor, amountMinor),
    amountMinor,
  };
}

/** Releases the whole authorisation. */
export function voidPayment(payment: Payment): Change {
  assertTransition(payment, 'void');
  return {
    status: 'voided',
    capturedMinor: 0,
    refundedMinor: 0,
    entry: voidEntry(payment.currency, payment.amountMinor),
    amountMinor: payment.amountMinor,
  };
}

/** What is still refundable. */
export function remainingRefundable(payment: Pick<Payment, 'capturedMinor' | 'refundedMinor'>): number {
  return payment.capturedMinor - payment.refundedMinor;
}

/** Refunds `amountMinor` (default: all that remains); the payment is refunded once nothing remains. */
export function refund(payment: Payment, amountMinor = remainingRefundable(payment)): Change {
  assertTransition(payment, 'refund');
  const remaining = remainingRefundable(payment);
  if (amountMinor > remaining) {
    throw new DomainError(
      'AMOUNT_EXCEEDS_REMAINING',
      `cannot refund ${amountMinor}: ${remaining} ${payment.currency} remains refundable`,
      { remainingMinor: remaining },
    );
  }
  const refundedMinor = payment.refundedMinor + amountMinor;
  return {
    status: refundedMinor === payment.capturedMinor ? 'refunded' : 'partially_refunded',
    capturedMinor: payment.capturedMinor,
    refundedMinor,
    entry: refundEntry(payment.currency, amountMinor),
    amountMinor,
  };
}
