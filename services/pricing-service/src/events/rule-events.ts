// What pricing-service publishes: `pricing.rule.changed.v1`, written to the outbox in the transaction of
// the rule change (Debezium's pricing-outbox connector moves it to Kafka). This module is the only place
// that knows the event's shape; the type is generated from schema-contracts/pricing.rule.changed.v1.avsc.
import { randomUUID } from 'node:crypto';
import { type EventEncoder, type PgQueryable, writeOutboxPg } from '@shop/common';
import type { PricingRuleChanged } from '@shop/contracts';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { PriceRule } from '../domain/rules.js';

export const topics = { ruleChanged: 'pricing.rule.changed.v1' } as const;

/**
 * The contract's vocabulary: `deleted` means "no longer applies", which is what disabling does (rules are
 * kept, quotes refer to them); enabling a disabled rule again is `created`.
 */
export type RuleChange = 'created' | 'updated' | 'deleted';

/** ISO 4217's code for "no currency": a percentage rule without a currency carries no amount. */
export const NO_CURRENCY = 'XXX';

/** The Avro record of `pricing.rule.changed.v1` for a change of `rule` (as it is after the change). */
export function ruleChangedRecord(eventId: string, change: RuleChange, rule: PriceRule): PricingRuleChanged {
  return {
    event_id: eventId,
    // The rule's updated_at is the transaction's clock: the instant the change commits with.
    occurred_at: Date.parse(rule.updatedAt),
    aggregate_id: rule.id,
    region: rule.region,
    rule_id: rule.id,
    change,
    rule_type: rule.type,
    sku: rule.match.sku,
    category: rule.match.category,
    currency: rule.currency ?? NO_CURRENCY,
    amount_minor: rule.amountMinor,
    percent_off_bp: rule.percentOffBp,
    min_quantity: rule.minQuantity,
    priority: rule.priority,
    valid_from: rule.validFrom === null ? null : Date.parse(rule.validFrom),
    valid_until: rule.validTo === null ? null : Date.parse(rule.validTo),
    revision: rule.version,
  };
}

/** Writes rule events through the client holding the caller's transaction. */
export interface RuleEventWriter {
  /** Returns the event id. */
  ruleChanged(client: PgQueryable, change: RuleChange, rule: PriceRule): Promise<string>;
}

export function createRuleEventWriter(encode: EventEncoder): RuleEventWriter {
  return {
    async ruleChanged(client, change, rule) {
      const eventId = randomUUID();
      const record = ruleChangedRecord(eventId, change, rule);
      return writeOutboxPg(client, {
        topic: topics.ruleChanged,
        aggregateType: 'price-rule',
        aggregateId: rule.id,
        region: rule.region,
        payload: await encode(topics.ruleChanged, record),
        eventId,
        occurredAt: new Date(record.occurred_at),
      });
    },
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    ruleEvents: RuleEventWriter;
  }
}

export const ruleEventsPlugin = fp(
  async (app: FastifyInstance, options: { encode: EventEncoder }) => {
    app.decorate('ruleEvents', createRuleEventWriter(options.encode));
  },
  { name: 'pricing-rule-events' },
);
