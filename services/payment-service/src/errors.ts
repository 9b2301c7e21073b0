import { defineErrors, errorFactory } from '@shop/common';

/** Every error this service answers besides the kit's own; rendered into README.md. */
export const errors = defineErrors({
  PAYMENT_NOT_FOUND: { status: 404, title: 'No such payment' },
  PAYMENT_DECLINED: { status: 402, title: 'The payment service provider declined the payment' },
  PAYMENT_IN_PROGRESS: {
    status: 409,
    title: 'An authorisation for this order is still waiting for the payment service provider',
  },
  PAYMENT_KEY_CONFLICT: {
    status: 409,
    title: 'This order already has a payment with a different amount, currency or customer',
  },
  ILLEGAL_TRANSITION: { status: 409, title: 'The payment is not in a state that allows this operation' },
  AUTHORIZATION_EXPIRED: { status: 409, title: 'The authorisation lapsed before it was captured' },
  AMOUNT_EXCEEDS_AUTHORIZED: { status: 422, title: 'The capture amount exceeds the authorised amount' },
  AMOUNT_EXCEEDS_REMAINING: { status: 422, title: 'The refund amount exceeds what remains refundable' },
  INVALID_CARD: { status: 400, title: 'The card number is not valid' },
  PSP_OVERRIDE_FORBIDDEN: { status: 403, title: 'Only service and admin callers may steer the mock PSP' },
  PSP_UNAVAILABLE: { status: 503, title: 'The payment service provider failed; nothing was charged' },
  LEDGER_UNBALANCED: { status: 500, title: 'A journal entry does not balance' },
});

export const fail = errorFactory(errors);
