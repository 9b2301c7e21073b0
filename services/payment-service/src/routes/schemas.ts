import { regions } from '@shop/common';
import { z } from 'zod';
import { paymentStatuses } from '../domain/payment.js';
import { declineReasons, pspBehaviours } from '../psp/mock-psp.js';

export const Region = z.enum(regions);
const currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR');
// Up to 10^12 minor units: far beyond any order, far below 2^53, so amounts stay exact in JSON.
const amountMinor = z.number().int().positive().max(1_000_000_000_000);
const reference = z.string().trim().min(1).max(100);
const reason = z.string().trim().min(1).max(200);

export const PaymentIdParams = z.object({ paymentId: z.uuid() });

export const PspBehaviour = z
  .strictObject({
    behaviour: z.enum(pspBehaviours),
    ms: z.number().int().min(0).max(60_000).optional(),
    holdSeconds: z.number().int().min(0).max(3600).optional(),
    declineReason: z.enum(declineReasons).optional(),
  })
  .meta({ id: 'PspBehaviour' });

// The field names match the kit's log redaction (`*.card.number`, `*.card.cvc`, `*.token`).
const TokenCard = z.strictObject({ token: z.string().min(8).max(200) });
const RawCard = z.strictObject({
  number: z.string().regex(/^[\d -]{12,23}$/, '12 to 19 digits'),
  expMonth: z.number().int().min(1).max(12),
  expYear: z.number().int().min(2000).max(2100),
  cvc: z.string().regex(/^\d{3,4}$/, '3 or 4 digits'),
});

export const AuthorizeBody = z.strictObject({
  orderId: reference,
  customerId: reference,
  region: Region,
  amountMinor,
  currency,
  card: z.union([TokenCard, RawCard]).optional(),
  psp: PspBehaviour.optional(),
});

export const CaptureBody = z.strictObject({ amountMinor: amountMinor.optional() }).nullish();
export const VoidBody = z.strictObject({ reason: reason.optional() }).nullish();
export const RefundBody = z
  .strictObject({ amountMinor: amountMinor.optional(), reason: reason.optional() })
  .nullish();

export const Payment = z
  .object({
    id: z.uuid(),
    orderId: z.string(),
    customerId: z.string(),
    region: z.string(),
    currency: z.string(),
    amountMinor: z.number().int(),
    capturedMinor: z.number().int(),
    refundedMinor: z.number().int(),
    status: z.enum(paymentStatuses),
    card: z.object({ token: z.string(), last4: z.string().nullable(), brand: z.string() }).nullable(),
    pspReference: z.string().nullable(),
    failureReason: z.string().nullable(),
    expiresAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Payment' });

export const Refund = z.object({
  id: z.uuid(),
  amountMinor: z.number().int(),
  reason: z.string().nullable(),
});
export const RefundResult = z.object({ payment: Payment, refund: Refund }).meta({ id: 'RefundResult' });

export const PaymentList = z.object({ items: z.array(Payment) });
export const ListQuery = z.strictObject({ orderId: reference });

const accountCode = z.enum([
  'customer_funds',
  'authorization_holds',
  'psp_clearing',
  'merchant_revenue',
  'refunds',
]);
export const Journal = z.object({
  items: z.array(
    z.object({
      id: z.uuid(),
      kind: z.string(),
      currency: z.string(),
      region: z.string(),
      createdAt: z.string(),
      lines: z.array(z.object({ account: accountCode, amountMinor: z.number().int() })),
    }),
  ),
});

export const BalancesQuery = z.strictObject({ currency: currency.optional(), region: Region.optional() });
export const Balances = z.object({
  items: z.array(
    z.object({
      account: accountCode,
      currency: z.string(),
      region: z.string(),
      balanceMinor: z.number().int(),
    }),
  ),
  imbalance: z.array(z.object({ currency: z.string(), imbalanceMinor: z.number().int() })),
});
