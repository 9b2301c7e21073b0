// Generated from schema-contracts/*.avsc by packages/contracts/scripts/generate.ts: the event types.
// Do not edit: change the schema and run `pnpm --filter @shop/contracts generate`.

export interface CheckoutLine {
  sku: string;
  quantity: number;
  /** In minor units of the event currency. */
  unit_price_minor: number;
  quote_id: string;
}

/** A cart was checked out: its lines, priced again, are handed to order creation. */
export interface CartCheckedout {
  /** Unique per event; consumers de-duplicate on it (also the Kafka header `event_id`). */
  event_id: string;
  /** When the change happened (committed), in milliseconds since the epoch, UTC. */
  occurred_at: number;
  /** The Kafka key: the cart id. All events of one aggregate land on one partition, in order. */
  aggregate_id: string;
  /** Region the change happened in: eu-west, us-east or ap-south today. A string, not an enum, so that adding a region needs no contract change (see schema-contracts/README.md). */
  region: string;
  cart_id: string;
  /** Unique per checkout; order-service creates at most one order per checkout id. */
  checkout_id: string;
  /** Null for a guest checkout. */
  customer_id: string | null;
  /** ISO 4217 code (EUR, USD, INR) of every *_minor amount in this event. */
  currency: string;
  /** Sum of quantity × unit price of the lines, in minor units. */
  subtotal_minor: number;
  /** Total units over all lines. */
  item_count: number;
  /** Subtotal at checkout minus the subtotal of the add-time snapshots: what re-pricing changed. */
  difference_minor: number;
  lines: Array<CheckoutLine>;
}

/** Units of a SKU went into a cart: added by the customer, or moved over by a guest-cart merge. */
export interface CartItemAdded {
  /** Unique per event; consumers de-duplicate on it (also the Kafka header `event_id`). */
  event_id: string;
  /** When the change happened (committed), in milliseconds since the epoch, UTC. */
  occurred_at: number;
  /** The Kafka key: the cart id. All events of one aggregate land on one partition, in order. */
  aggregate_id: string;
  /** Region the change happened in: eu-west, us-east or ap-south today. A string, not an enum, so that adding a region needs no contract change (see schema-contracts/README.md). */
  region: string;
  cart_id: string;
  /** Null for a guest cart. */
  customer_id: string | null;
  sku: string;
  /** Units added by this change. */
  quantity_added: number;
  /** The line's quantity after the change. */
  line_quantity: number;
  /** Unit price the customer saw (the pricing snapshot), in minor units. */
  unit_price_minor: number;
  /** ISO 4217 code (EUR, USD, INR) of every *_minor amount in this event. */
  currency: string;
  /** The pricing quote behind the snapshot. */
  quote_id: string;
  /** Ids of the price rules in the quote. */
  rules_applied: Array<string>;
}

/** Lifecycle of a product; only active products are sold. Readers map a symbol they do not know to `unknown`. */
export const ProductStatus = ['unknown', 'draft', 'active', 'archived'] as const;
export type ProductStatus = (typeof ProductStatus)[number];

/** A product was created or changed; carries the product as it is now. */
export interface CatalogProductUpserted {
  /** Unique per event; consumers de-duplicate on it (also the Kafka header `event_id`). */
  event_id: string;
  /** When the change happened (committed), in milliseconds since the epoch, UTC. */
  occurred_at: number;
  /** The Kafka key: the SKU. All events of one aggregate land on one partition, in order. */
  aggregate_id: string;
  /** Region the change happened in: eu-west, us-east or ap-south today. A string, not an enum, so that adding a region needs no contract change (see schema-contracts/README.md). */
  region: string;
  /** Upper case, 2 to 64 characters. */
  sku: string;
  title: string;
  /** Lower case words joined by hyphens, e.g. running-shoes. */
  category: string;
  status: ProductStatus;
  /** Regions the product is sold in. */
  available_regions: Array<string>;
  /** Free-form attributes (colour, size, weight_kg...). */
  attributes: Record<string, string | number | boolean>;
  /** The catalog document revision; a consumer that has seen a later revision ignores this one. */
  revision: string;
}

/** A customer account was created. */
export interface CustomerRegistered {
  /** Unique per event; consumers de-duplicate on it (also the Kafka header `event_id`). */
  event_id: string;
  /** When the change happened (committed), in milliseconds since the epoch, UTC. */
  occurred_at: number;
  /** The Kafka key: the customer id. All events of one aggregate land on one partition, in order. */
  aggregate_id: string;
  /** Region the change happened in: eu-west, us-east or ap-south today. A string, not an enum, so that adding a region needs no contract change (see schema-contracts/README.md). */
  region: string;
  customer_id: string;
  /** Normalised (trimmed, lower case). Personal data: never log it or put it on a span. */
  email: string;
  /** Display name. Personal data: never log it or put it on a span. */
  name: string;
}

/** A customer's profile changed; carries the profile as it is now. */
export interface CustomerUpdated {
  /** Unique per event; consumers de-duplicate on it (also the Kafka header `event_id`). */
  event_id: string;
  /** When the change happened (committed), in milliseconds since the epoch, UTC. */
  occurred_at: number;
  /** The Kafka key: the customer id. All events of one aggregate land on one partition, in order. */
  aggregate_id: string;
  /** Region the change happened in: eu-west, us-east or ap-south today. A string, not an enum, so that adding a region needs no contract change (see schema-contracts/README.md). */
  region: string;
  customer_id: string;
  /** Current email, normalised. Personal data. */
  email: string;
  /** Current display name. Personal data. */
  name: string;
  /** Names of the profile fields this change touched, e.g. ["email"]. */
  changed_fields: Array<string>;
}

/** What the fraud service recommends. Readers map a symbol they do not know to `unknown`. */
export const FraudAction = ['unknown', 'review', 'hold', 'block'] as const;
export type FraudAction = (typeof FraudAction)[number];

/** A customer's activity in one window scored above the alert threshold. */
export interface FraudAlert {
  /** Unique per event; consumers de-duplicate on it (also the Kafka header `event_id`). */
  event_id: string;
  /** When the change happened (committed), in milliseconds since the epoch, UTC. */
  occurred_at: number;
  /** The Kafka key: the customer id. All events of one aggregate land on one partition, in order. */
  aggregate_id: string;
  /** Region the change happened in: eu-west, us-east or ap-south today. A string, not an enum, so that adding a region needs no contract change (see schema-contracts/README.md). */
  region: string;
  alert_id: string;
  customer_id: string;
  /** Risk score from 0 (fine) to 1 (certain fraud). */
  score: number;
  /** The threshold the score crossed. */
  threshold: number;
  /** Rule codes that contributed, e.g. velocity.orders, card.mismatch. */
  reasons: Array<string>;
  /** Start of the tumbling window (inclusive). */
  window_start: number;
  /** End of the tumbling window (exclusive). */
  window_end: number;
  /** Orders placed in the window. */
  order_ids: Array<string>;
  action: FraudAction;
}

export interface ShipmentLine {
  sku: string;
  quantity: number;
}

/** A shipment was created for (part of) an order. */
export interface FulfillmentShipmentCreated {
  /** Unique per event; consumers de-duplicate on it (also the Kafka header `event_id`). */
  event_id: string;
  /** When the change happened (committed), in milliseconds since the epoch, UTC. */
  occurred_at: number;
  /** The Kafka key: the shipment id. All events of one aggregate land on one partition, in order. */
  aggregate_id: string;
  /** Region the change happened in: eu-west, us-east or ap-south today. A string, not an enum, so that adding a region needs no contract change (see schema-contracts/README.md). */
  region: string;
  shipment_id: string;
  order_id: string;
  customer_id: string;
  warehouse_id: string;
  carrier: string;
  /** Null until the carrier assigns one. */
  tracking_number: string | null;
  /** Object-store key of the shipping label; null until printed. */
  label_key: string | null;
  lines: Array<ShipmentLine>;
}

/** Where a shipment is. Readers map a symbol they do not know to `unknown`. */
export const ShipmentStatus = ['unknown', 'created', 'label_printed', 'picked_up', 'in_transit', 'out_for_delivery', 'delivered', 'delivery_failed', 'returned', 'lost'] as const;
export type ShipmentStatus = (typeof ShipmentStatus)[number];

/** A shipment moved from one status to another. */
export interface FulfillmentShipmentStatusChanged {
  /** Unique per event; consumers de-duplicate on it (also the Kafka header `event_id`). */
  event_id: string;
  /** When the change happened (committed), in milliseconds since the epoch, UTC. */
  occurred_at: number;
  /** The Kafka key: the shipment id. All events of one aggregate land on one partition, in order. */
  aggregate_id: string;
  /** Region the change happened in: eu-west, us-east or ap-south today. A string, not an enum, so that adding a region needs no contract change (see schema-contracts/README.md). */
  region: string;
  shipment_id: string;
  order_id: string;
  from_status: ShipmentStatus;
  to_status: ShipmentStatus;
  carrier: string;
  tracking_number: string | null;
  /** When the carrier recorded the change (occurred_at is when we learned it); null if the carrier does not say. */
  carrier_event_at: number | null;
}

/** A reservation became a sale: the units left stock for good. */
export interface InventoryCommitted {
  /** Unique per event; consumers de-duplicate on it (also the Kafka header `event_id`). */
  event_id: string;
  /** When the change happened (committed), in milliseconds since the epoch, UTC. */
  occurred_at: number;
  /** The Kafka key: the reservation id. All events of one aggregate land on one partition, in order. */
  aggregate_id: string;
  /** Region the change happened in: eu-west, us-east or ap-south today. A string, not an enum, so that adding a region needs no contract change (see schema-contracts/README.md). */
  region: string;
  reservation_id: string;
  order_id: string;
  sku: string;
  /** The warehouse holding the stock; it lies in the event region. */
  warehouse_id: string;
  /** Units. */
  quantity: number;
  /** The reservation TTL it was committed against. */
  expires_at: number;
  /** True when committed after expires_at (possible only in the broken mode): a possible oversell. */
  after_expiry: boolean;
}

/** A reservation reached its TTL uncommitted; its units are available again. */
export interface InventoryExpired {
  /** Unique per event; consumers de-duplicate on it (also the Kafka header `event_id`). */
  event_id: string;
  /** When the change happened (committed), in milliseconds since the epoch, UTC. */
  occurred_at: number;
  /** The Kafka key: the reservation id. All events of one aggregate land on one partition, in order. */
  aggregate_id: string;
  /** Region the change happened in: eu-west, us-east or ap-south today. A string, not an enum, so that adding a region needs no contract change (see schema-contracts/README.md). */
  region: string;
  reservation_id: string;
  order_id: string;
  sku: string;
  /** The warehouse holding the stock; it lies in the event region. */
  warehouse_id: string;
  /** Units. */
  quantity: number;
  /** The TTL that passed. */
  expires_at: number;
}

export interface RegionAvailability {
  region: string;
  on_hand: number;
  reserved: number;
  available: number;
  /** When that region's figure was last known here: occurred_at − as_of is the reconciliation lag. */
  as_of: number;
}

/** A SKU's availability across regions, as reconciled by the region emitting it. */
export interface InventoryGlobalUpdate {
  /** Unique per event; consumers de-duplicate on it (also the Kafka header `event_id`). */
  event_id: string;
  /** When the change happened (committed), in milliseconds since the epoch, UTC. */
  occurred_at: number;
  /** The Kafka key: the SKU. All events of one aggregate land on one partition, in order. */
  aggregate_id: string;
  /** Region the change happened in: eu-west, us-east or ap-south today. A string, not an enum, so that adding a region needs no contract change (see schema-contracts/README.md). */
  region: string;
  sku: string;
  /** One entry per region. */
  regions: Array<RegionAvailability>;
  /** Sum of available over regions. */
  global_available: number;
}

/** Why the units were released. Readers map a symbol they do not know to `unknown`. */
export const ReleaseReason = ['unknown', 'payment_failed', 'order_cancelled', 'manual'] as const;
export type ReleaseReason = (typeof ReleaseReason)[number];

/** A reservation was given back before it expired. */
export interface InventoryReleased {
  /** Unique per event; consumers de-duplicate on it (also the Kafka header `event_id`). */
  event_id: string;
  /** When the change happened (committed), in milliseconds since the epoch, UTC. */
  occurred_at: number;
  /** The Kafka key: the reservation id. All events of one aggregate land on one partition, in order. */
  aggregate_id: string;
  /** Region the change happened in: eu-west, us-east or ap-south today. A string, not an enum, so that adding a region needs no contract change (see schema-contracts/README.md). */
  region: string;
  reservation_id: string;
  order_id: string;
  sku: string;
  /** The warehouse holding the stock; it lies in the event region. */
  warehouse_id: string;
  /** Units. */
  quantity: number;
  reason: ReleaseReason;
}

/** Units of a SKU were reserved for an order, until expires_at. */
export interface InventoryReserved {
  /** Unique per event; consumers de-duplicate on it (also the Kafka header `event_id`). */
  event_id: string;
  /** When the change happened (committed), in milliseconds since the epoch, UTC. */
  occurred_at: number;
  /** The Kafka key: the reservation id. All events of one aggregate land on one partition, in order. */
  aggregate_id: string;
  /** Region the change happened in: eu-west, us-east or ap-south today. A string, not an enum, so that adding a region needs no contract change (see schema-contracts/README.md). */
  region: string;
  reservation_id: string;
  order_id: string;
  sku: string;
  /** The warehouse holding the stock; it lies in the event region. */
  warehouse_id: string;
  /** Units. */
  quantity: number;
  /** When the reservation lapses unless committed (its TTL). */
  expires_at: number;
}

/** Why stock changed. Readers map a symbol they do not know to `unknown`. */
export const AdjustmentReason = ['unknown', 'received', 'correction', 'damaged', 'returned', 'cycle_count'] as const;
export type AdjustmentReason = (typeof AdjustmentReason)[number];

/** On-hand stock of a SKU in a warehouse changed outside the reservation flow. */
export interface InventoryStockAdjusted {
  /** Unique per event; consumers de-duplicate on it (also the Kafka header `event_id`). */
  event_id: string;
  /** When the change happened (committed), in milliseconds since the epoch, UTC. */
  occurred_at: number;
  /** The Kafka key: the SKU. All events of one aggregate land on one partition, in order. */
  aggregate_id: string;
  /** Region the change happened in: eu-west, us-east or ap-south today. A string, not an enum, so that adding a region needs no contract change (see schema-contracts/README.md). */
  region: string;
  sku: string;
  warehouse_id: string;
  /** Change of on-hand units (negative for removals). */
  delta: number;
  /** On-hand units after the change. */
  on_hand: number;
  /** Units reserved and not yet committed, at the change. */
  reserved: number;
  /** on_hand − reserved. */
  available: number;
  reason: AdjustmentReason;
}

/** How it was sent. Readers map a symbol they do not know to `unknown`. */
export const NotificationChannel = ['unknown', 'email', 'sms', 'push'] as const;
export type NotificationChannel = (typeof NotificationChannel)[number];

/** A notification was handed to the provider for a customer. */
export interface NotificationSent {
  /** Unique per event; consumers de-duplicate on it (also the Kafka header `event_id`). */
  event_id: string;
  /** When the change happened (committed), in milliseconds since the epoch, UTC. */
  occurred_at: number;
  /** The Kafka key: the notification id. All events of one aggregate land on one partition, in order. */
  aggregate_id: string;
  /** Region the change happened in: eu-west, us-east or ap-south today. A string, not an enum, so that adding a region needs no contract change (see schema-contracts/README.md). */
  region: string;
  notification_id: string;
  customer_id: string;
  channel: NotificationChannel;
  /** Template id, e.g. order-confirmed. */
  template: string;
  /** event_id of the event that caused it, if one did. */
  trigger_event_id: string | null;
  /** Topic of that event. */
  trigger_topic: string | null;
  /** The provider's id for the message. */
  provider_message_id: string | null;
}

export interface OrderLine {
  sku: string;
  quantity: number;
  /** In minor units of the event currency. */
  unit_price_minor: number;
  /** quantity × unit_price_minor, after line discounts. */
  line_total_minor: number;
}

/** An order was created from a checkout. */
export interface OrderCreated {
  /** Unique per event; consumers de-duplicate on it (also the Kafka header `event_id`). */
  event_id: string;
  /** When the change happened (committed), in milliseconds since the epoch, UTC. */
  occurred_at: number;
  /** The Kafka key: the order id. All events of one aggregate land on one partition, in order. */
  aggregate_id: string;
  /** Region the change happened in: eu-west, us-east or ap-south today. A string, not an enum, so that adding a region needs no contract change (see schema-contracts/README.md). */
  region: string;
  order_id: string;
  customer_id: string;
  /** The checkout the order came from (one order per checkout). */
  checkout_id: string;
  lines: Array<OrderLine>;
  /** Sum of the line totals. */
  subtotal_minor: number;
  /** Shipping charged, in minor units. */
  shipping_minor: number;
  /** Tax included in the total, in minor units. */
  tax_minor: number;
  /** What the customer pays: subtotal + shipping (+ tax where not included). */
  total_minor: number;
  /** ISO 4217 code (EUR, USD, INR) of every *_minor amount in this event. */
  currency: string;
}

/** Where an order is in its saga. Readers map a symbol they do not know to `unknown`. */
export const OrderStatus = ['unknown', 'pending', 'inventory_reserved', 'payment_authorized', 'confirmed', 'shipped', 'delivered', 'cancelled', 'refunded'] as const;
export type OrderStatus = (typeof OrderStatus)[number];

/** An order moved from one status to another. */
export interface OrderStatusChanged {
  /** Unique per event; consumers de-duplicate on it (also the Kafka header `event_id`). */
  event_id: string;
  /** When the change happened (committed), in milliseconds since the epoch, UTC. */
  occurred_at: number;
  /** The Kafka key: the order id. All events of one aggregate land on one partition, in order. */
  aggregate_id: string;
  /** Region the change happened in: eu-west, us-east or ap-south today. A string, not an enum, so that adding a region needs no contract change (see schema-contracts/README.md). */
  region: string;
  order_id: string;
  customer_id: string;
  from_status: OrderStatus;
  to_status: OrderStatus;
  /** Why, for cancellations and failures (e.g. payment_declined, reservation_expired). */
  reason: string | null;
}

/** The PSP authorised (held) an amount for an order. */
export interface PaymentAuthorized {
  /** Unique per event; consumers de-duplicate on it (also the Kafka header `event_id`). */
  event_id: string;
  /** When the change happened (committed), in milliseconds since the epoch, UTC. */
  occurred_at: number;
  /** The Kafka key: the payment id. All events of one aggregate land on one partition, in order. */
  aggregate_id: string;
  /** Region the change happened in: eu-west, us-east or ap-south today. A string, not an enum, so that adding a region needs no contract change (see schema-contracts/README.md). */
  region: string;
  payment_id: string;
  order_id: string;
  customer_id: string;
  /** The amount of this operation, in minor units. */
  amount_minor: number;
  /** ISO 4217 code (EUR, USD, INR) of every *_minor amount in this event. */
  currency: string;
  /** The PSP's id of the authorisation. */
  psp_reference: string;
  /** When the hold lapses at the PSP unless captured; null if the PSP does not say. */
  expires_at: number | null;
}

/** An authorised amount was captured: the money moved. */
export interface PaymentCaptured {
  /** Unique per event; consumers de-duplicate on it (also the Kafka header `event_id`). */
  event_id: string;
  /** When the change happened (committed), in milliseconds since the epoch, UTC. */
  occurred_at: number;
  /** The Kafka key: the payment id. All events of one aggregate land on one partition, in order. */
  aggregate_id: string;
  /** Region the change happened in: eu-west, us-east or ap-south today. A string, not an enum, so that adding a region needs no contract change (see schema-contracts/README.md). */
  region: string;
  payment_id: string;
  order_id: string;
  customer_id: string;
  /** The amount of this operation, in minor units. */
  amount_minor: number;
  /** ISO 4217 code (EUR, USD, INR) of every *_minor amount in this event. */
  currency: string;
  /** The PSP's id of the capture. */
  psp_reference: string;
}

/** The operation that failed. Readers map a symbol they do not know to `unknown`. */
export const PaymentOperation = ['unknown', 'authorize', 'capture', 'void', 'refund'] as const;
export type PaymentOperation = (typeof PaymentOperation)[number];

/** Why it failed. Readers map a symbol they do not know to `unknown`. */
export const PaymentFailureReason = ['unknown', 'declined', 'insufficient_funds', 'expired_card', 'fraud_suspected', 'authorization_expired', 'psp_timeout', 'psp_error'] as const;
export type PaymentFailureReason = (typeof PaymentFailureReason)[number];

/** A payment operation failed; no money moved. */
export interface PaymentFailed {
  /** Unique per event; consumers de-duplicate on it (also the Kafka header `event_id`). */
  event_id: string;
  /** When the change happened (committed), in milliseconds since the epoch, UTC. */
  occurred_at: number;
  /** The Kafka key: the payment id. All events of one aggregate land on one partition, in order. */
  aggregate_id: string;
  /** Region the change happened in: eu-west, us-east or ap-south today. A string, not an enum, so that adding a region needs no contract change (see schema-contracts/README.md). */
  region: string;
  payment_id: string;
  order_id: string;
  customer_id: string;
  /** The amount of this operation, in minor units. */
  amount_minor: number;
  /** ISO 4217 code (EUR, USD, INR) of every *_minor amount in this event. */
  currency: string;
  operation: PaymentOperation;
  reason: PaymentFailureReason;
  /** The PSP message, without card data. */
  detail: string | null;
  /** True when the same operation may succeed if tried again (timeouts, PSP errors). */
  retryable: boolean;
}

/** Captured money was (partly) paid back. */
export interface PaymentRefunded {
  /** Unique per event; consumers de-duplicate on it (also the Kafka header `event_id`). */
  event_id: string;
  /** When the change happened (committed), in milliseconds since the epoch, UTC. */
  occurred_at: number;
  /** The Kafka key: the payment id. All events of one aggregate land on one partition, in order. */
  aggregate_id: string;
  /** Region the change happened in: eu-west, us-east or ap-south today. A string, not an enum, so that adding a region needs no contract change (see schema-contracts/README.md). */
  region: string;
  payment_id: string;
  order_id: string;
  customer_id: string;
  /** The amount of this operation, in minor units. */
  amount_minor: number;
  /** ISO 4217 code (EUR, USD, INR) of every *_minor amount in this event. */
  currency: string;
  refund_id: string;
  /** All refunds of the payment so far, this one included; equals the captured amount for a full refund. */
  refunded_total_minor: number;
  /** Why, e.g. customer_request, order_cancelled. */
  reason: string | null;
}

/** An authorisation was cancelled before capture; the hold is released. */
export interface PaymentVoided {
  /** Unique per event; consumers de-duplicate on it (also the Kafka header `event_id`). */
  event_id: string;
  /** When the change happened (committed), in milliseconds since the epoch, UTC. */
  occurred_at: number;
  /** The Kafka key: the payment id. All events of one aggregate land on one partition, in order. */
  aggregate_id: string;
  /** Region the change happened in: eu-west, us-east or ap-south today. A string, not an enum, so that adding a region needs no contract change (see schema-contracts/README.md). */
  region: string;
  payment_id: string;
  order_id: string;
  customer_id: string;
  /** The amount of this operation, in minor units. */
  amount_minor: number;
  /** ISO 4217 code (EUR, USD, INR) of every *_minor amount in this event. */
  currency: string;
  /** Why, e.g. inventory_expired, order_cancelled. */
  reason: string | null;
}

/** What happened to the rule. Readers map a symbol they do not know to `unknown`. */
export const RuleChange = ['unknown', 'created', 'updated', 'deleted'] as const;
export type RuleChange = (typeof RuleChange)[number];

/** How the rule prices a line. Readers map a symbol they do not know to `unknown`. */
export const RuleType = ['unknown', 'fixed_price', 'percent_off', 'amount_off', 'tiered'] as const;
export type RuleType = (typeof RuleType)[number];

/** A price rule was created, changed or deleted. */
export interface PricingRuleChanged {
  /** Unique per event; consumers de-duplicate on it (also the Kafka header `event_id`). */
  event_id: string;
  /** When the change happened (committed), in milliseconds since the epoch, UTC. */
  occurred_at: number;
  /** The Kafka key: the rule id. All events of one aggregate land on one partition, in order. */
  aggregate_id: string;
  /** Region the change happened in: eu-west, us-east or ap-south today. A string, not an enum, so that adding a region needs no contract change (see schema-contracts/README.md). */
  region: string;
  rule_id: string;
  change: RuleChange;
  rule_type: RuleType;
  /** The SKU the rule applies to; null when it applies to a whole category. */
  sku: string | null;
  /** The category the rule applies to; null when it applies to one SKU. */
  category: string | null;
  /** ISO 4217 code (EUR, USD, INR) of every *_minor amount in this event. */
  currency: string;
  /** The unit price (fixed_price, tiered) or the discount per unit (amount_off), in minor units; null for percent_off. */
  amount_minor: number | null;
  /** The discount in basis points (1250 = 12.5 %) for percent_off; null otherwise. */
  percent_off_bp: number | null;
  /** The rule applies from this quantity of the SKU in one line (tiers). */
  min_quantity: number;
  /** Higher wins when several rules match. */
  priority: number;
  /** Start of validity; null = immediately. */
  valid_from: number | null;
  /** End of validity (exclusive); null = open-ended. */
  valid_until: number | null;
  /** Increases with every change of the rule; a consumer ignores a revision older than one it has applied. */
  revision: number;
}

/** What the ticket is about. Readers map a symbol they do not know to `unknown`. */
export const TicketCategory = ['unknown', 'order', 'payment', 'delivery', 'product', 'account', 'other'] as const;
export type TicketCategory = (typeof TicketCategory)[number];

/** How soon it needs an answer. Readers map a symbol they do not know to `unknown`. */
export const TicketPriority = ['unknown', 'low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TicketPriority)[number];

/** A customer opened a support ticket. */
export interface SupportTicketCreated {
  /** Unique per event; consumers de-duplicate on it (also the Kafka header `event_id`). */
  event_id: string;
  /** When the change happened (committed), in milliseconds since the epoch, UTC. */
  occurred_at: number;
  /** The Kafka key: the ticket id. All events of one aggregate land on one partition, in order. */
  aggregate_id: string;
  /** Region the change happened in: eu-west, us-east or ap-south today. A string, not an enum, so that adding a region needs no contract change (see schema-contracts/README.md). */
  region: string;
  ticket_id: string;
  customer_id: string;
  /** The order the ticket is about, if any. */
  order_id: string | null;
  category: TicketCategory;
  priority: TicketPriority;
  /** The title the customer gave; may contain personal data, never log it. */
  subject: string;
  /** Files attached at creation. */
  attachment_count: number;
}

/** The event type of each topic. */
export interface EventMap {
  'cart.checkedout.v1': CartCheckedout;
  'cart.item.added.v1': CartItemAdded;
  'catalog.product.upserted.v1': CatalogProductUpserted;
  'customer.registered.v1': CustomerRegistered;
  'customer.updated.v1': CustomerUpdated;
  'fraud.alert.v1': FraudAlert;
  'fulfillment.shipment.created.v1': FulfillmentShipmentCreated;
  'fulfillment.shipment.status.changed.v1': FulfillmentShipmentStatusChanged;
  'inventory.committed.v1': InventoryCommitted;
  'inventory.expired.v1': InventoryExpired;
  'inventory.global.update.v1': InventoryGlobalUpdate;
  'inventory.released.v1': InventoryReleased;
  'inventory.reserved.v1': InventoryReserved;
  'inventory.stock.adjusted.v1': InventoryStockAdjusted;
  'notification.sent.v1': NotificationSent;
  'order.created.v1': OrderCreated;
  'order.status.changed.v1': OrderStatusChanged;
  'payment.authorized.v1': PaymentAuthorized;
  'payment.captured.v1': PaymentCaptured;
  'payment.failed.v1': PaymentFailed;
  'payment.refunded.v1': PaymentRefunded;
  'payment.voided.v1': PaymentVoided;
  'pricing.rule.changed.v1': PricingRuleChanged;
  'support.ticket.created.v1': SupportTicketCreated;
}
