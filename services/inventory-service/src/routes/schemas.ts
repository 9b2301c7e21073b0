import { regions } from '@shop/common';
import { z } from 'zod';
import { MAX_ADJUSTMENT, MAX_QUANTITY } from '../domain/inventory.js';

export const Region = z.enum(regions);
const sku = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, '1 to 64 letters, digits, dot, dash or underscore');
const warehouseId = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, '1 to 64 letters, digits, dot, dash or underscore');

export const SkuParams = z.object({ sku });
export const ReservationParams = z.object({ reservationId: z.uuid() });

export const ReserveBody = z.strictObject({
  orderId: z.string().min(1).max(128),
  sku,
  region: Region,
  quantity: z.number().int().min(1).max(MAX_QUANTITY),
  /** Overrides INVENTORY_RESERVATION_TTL_SECONDS for this reservation (scenarios use seconds). */
  ttlSeconds: z.number().int().min(1).max(86_400).optional(),
  /** Optional client-chosen id; by default it is derived from orderId and sku. */
  reservationId: z.uuid().optional(),
});

export const CommitQuery = z.strictObject({
  check: z.enum(['true', 'false']).optional(),
});

// The body is optional: a compensation may send nothing at all.
export const ReleaseBody = z
  .strictObject({
    reason: z.enum(['unknown', 'payment_failed', 'order_cancelled', 'manual']).optional(),
  })
  .nullish();

export const AdjustBody = z.strictObject({
  sku,
  warehouseId,
  region: Region,
  delta: z
    .number()
    .int()
    .min(-MAX_ADJUSTMENT)
    .max(MAX_ADJUSTMENT)
    .refine((v) => v !== 0, 'must not be 0'),
  reason: z.enum(['unknown', 'received', 'correction', 'damaged', 'returned', 'cycle_count']),
});

export const Reservation = z
  .object({
    id: z.uuid(),
    orderId: z.string(),
    sku: z.string(),
    region: z.string(),
    warehouseId: z.string().nullable(),
    quantity: z.number().int(),
    status: z.enum(['pending', 'reserved', 'committed', 'released', 'expired', 'rejected']),
    expiresAt: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    afterExpiry: z.boolean(),
    releaseReason: z.string().nullable(),
  })
  .meta({ id: 'Reservation' });

export const CommitResult = Reservation.extend({
  oversoldUnits: z.number().int().describe('Units this commit sold beyond existing stock (broken mode only)'),
}).meta({ id: 'CommitResult' });

export const WarehouseStock = z
  .object({
    sku: z.string(),
    warehouseId: z.string(),
    region: z.string(),
    available: z.number().int(),
    reserved: z.number().int(),
    sold: z.number().int(),
    oversold: z.number().int(),
    received: z.number().int(),
    version: z.number().int(),
  })
  .meta({ id: 'WarehouseStock' });

export const StockList = z.object({ sku: z.string(), items: z.array(WarehouseStock) });

const Figure = z.object({
  region: z.string(),
  onHand: z.number().int(),
  reserved: z.number().int(),
  available: z.number().int(),
});

export const Availability = z
  .object({ sku: z.string(), regions: z.array(Figure), globalAvailable: z.number().int() })
  .meta({ id: 'Availability' });
