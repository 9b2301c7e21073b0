import { regions } from '@shop/common';
import { z } from 'zod';
import { recencies, spendTiers } from '../domain/customer.js';

export const Region = z.enum(regions);

export const CustomerIdParams = z.object({ customerId: z.uuid() });
export const AddressParams = z.object({ customerId: z.uuid(), addressId: z.uuid() });

const email = z.email().max(254);
const name = z.string().trim().min(1).max(200);

export const NewCustomerBody = z.strictObject({ email, name, region: Region });
export const CustomerChangesBody = z
  .strictObject({ email: email.optional(), name: name.optional(), region: Region.optional() })
  .refine((v) => Object.keys(v).length > 0, 'send at least one of email, name, region');

export const Customer = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    region: Region,
    lifetimeSpendMinor: z.number().int(),
    lastOrderAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Customer' });

export const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(200).optional(),
  region: Region.optional(),
  email: email.optional(),
});

export const CustomerPage = z.object({ items: z.array(Customer), nextCursor: z.string().nullable() });

const country = z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as DE');

export const NewAddressBody = z.strictObject({
  label: z.string().trim().min(1).max(50),
  line1: z.string().trim().min(1).max(200),
  line2: z.string().trim().max(200).nullable().optional(),
  city: z.string().trim().min(1).max(100),
  postalCode: z.string().trim().min(1).max(20),
  country,
  isDefault: z.boolean().optional(),
});

export const AddressChangesBody = NewAddressBody.partial().refine(
  (v) => Object.keys(v).length > 0,
  'send at least one field to change',
);

export const Address = z
  .object({
    id: z.uuid(),
    customerId: z.uuid(),
    label: z.string(),
    line1: z.string(),
    line2: z.string().nullable(),
    city: z.string(),
    postalCode: z.string(),
    country: z.string(),
    isDefault: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Address' });

export const PurchaseBody = z.strictObject({
  amountMinor: z.number().int().positive().max(100_000_000_00),
  occurredAt: z.iso.datetime({ offset: true }),
});

export const Segment = z.object({
  region: Region,
  spendTier: z.enum(spendTiers),
  recency: z.enum(recencies),
  key: z.string(),
});

export const SegmentsQuery = z.strictObject({ region: Region.optional() });
export const SegmentsResponse = z.object({
  generatedAt: z.string(),
  total: z.number().int(),
  segments: z.array(Segment.extend({ customers: z.number().int() })),
});

export const DevTokenBody = z.union([
  z.strictObject({ customerId: z.uuid() }),
  z.strictObject({ email }),
  z.strictObject({ role: z.enum(['admin', 'service']), subject: z.string().min(1).max(100).optional() }),
]);
export const DevTokenResponse = z.object({
  token: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int(),
  subject: z.string(),
  roles: z.array(z.string()),
});
