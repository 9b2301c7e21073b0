// The events this service publishes, built from the rows they describe. Every payload carries event_id,
// occurred_at, aggregate_id and region (schema-contracts/inventory.*.v1.avsc).
import { type CqlStatement, cassandraOutboxInsert } from '@shop/common';
import type { ReleaseReason, ReservationStatus } from '../domain/inventory.js';
import { eventIdFor } from '../domain/inventory.js';
import type { EventEncoder, InventoryTopic } from './event-encoder.js';

export interface ReservationRecord {
  id: string;
  orderId: string;
  sku: string;
  region: string;
  warehouseId: string | null;
  quantity: number;
  status: ReservationStatus;
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
  afterExpiry: boolean;
  releaseReason: ReleaseReason | null;
  emitted: ReservationStatus | null;
}

const topicOfStatus: Partial<Record<ReservationStatus, InventoryTopic>> = {
  reserved: 'inventory.reserved.v1',
  committed: 'inventory.committed.v1',
  released: 'inventory.released.v1',
  expired: 'inventory.expired.v1',
};

/**
 * The outbox insert for a reservation having reached its current status. The event id is derived from
 * (reservation, status), so writing it again after a crash publishes a duplicate consumers drop by id.
 */
export async function reservationEventInsert(
  encoder: EventEncoder,
  r: ReservationRecord,
): Promise<CqlStatement | undefined> {
  const topic = topicOfStatus[r.status];
  if (!topic) return undefined;
  const eventId = eventIdFor(r.id, r.status);
  const occurredAt = r.updatedAt;
  const base = {
    event_id: eventId,
    occurred_at: occurredAt.getTime(),
    aggregate_id: r.id,
    region: r.region,
    reservation_id: r.id,
    order_id: r.orderId,
    sku: r.sku,
    warehouse_id: r.warehouseId ?? '',
    quantity: r.quantity,
  };
  const extra =
    r.status === 'released'
      ? { reason: r.releaseReason ?? 'unknown' }
      : r.status === 'committed'
        ? { expires_at: r.expiresAt.getTime(), after_expiry: r.afterExpiry }
        : { expires_at: r.expiresAt.getTime() };
  const payload = await encoder.encode(topic, { ...base, ...extra });
  return cassandraOutboxInsert({
    topic,
    aggregateType: 'reservation',
    aggregateId: r.id,
    region: r.region,
    payload,
    eventId,
    occurredAt,
  });
}

export interface RegionFigure {
  region: string;
  onHand: number;
  reserved: number;
  available: number;
  asOf: Date;
}

/** `inventory.global.update.v1`: a SKU's availability per region and in total, keyed by the SKU. */
export async function globalUpdateInsert(
  encoder: EventEncoder,
  input: { sku: string; region: string; regions: RegionFigure[]; occurredAt: Date },
): Promise<CqlStatement> {
  const eventId = crypto.randomUUID();
  const payload = await encoder.encode('inventory.global.update.v1', {
    event_id: eventId,
    occurred_at: input.occurredAt.getTime(),
    aggregate_id: input.sku,
    region: input.region,
    sku: input.sku,
    regions: input.regions.map((f) => ({
      region: f.region,
      on_hand: f.onHand,
      reserved: f.reserved,
      available: f.available,
      as_of: f.asOf.getTime(),
    })),
    global_available: input.regions.reduce((s, f) => s + f.available, 0),
  });
  return cassandraOutboxInsert({
    topic: 'inventory.global.update.v1',
    aggregateType: 'sku',
    aggregateId: input.sku,
    region: input.region,
    payload,
    eventId,
    occurredAt: input.occurredAt,
  });
}

/** `inventory.stock.adjusted.v1`, keyed by the SKU. */
export async function stockAdjustedInsert(
  encoder: EventEncoder,
  input: {
    eventId: string;
    sku: string;
    warehouseId: string;
    region: string;
    delta: number;
    onHand: number;
    reserved: number;
    available: number;
    reason: string;
    occurredAt: Date;
  },
): Promise<CqlStatement> {
  const payload = await encoder.encode('inventory.stock.adjusted.v1', {
    event_id: input.eventId,
    occurred_at: input.occurredAt.getTime(),
    aggregate_id: input.sku,
    region: input.region,
    sku: input.sku,
    warehouse_id: input.warehouseId,
    delta: input.delta,
    on_hand: input.onHand,
    reserved: input.reserved,
    available: input.available,
    reason: input.reason,
  });
  return cassandraOutboxInsert({
    topic: 'inventory.stock.adjusted.v1',
    aggregateType: 'sku',
    aggregateId: input.sku,
    region: input.region,
    payload,
    eventId: input.eventId,
    occurredAt: input.occurredAt,
  });
}
