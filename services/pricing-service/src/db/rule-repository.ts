import { type Cursor, type Region, regions } from '@shop/common';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type pg from 'pg';
import type { Currency } from '../domain/money.js';
import {
  checkRule,
  type PriceRule,
  type RuleDefinition,
  type RuleType,
  rulesConflict,
} from '../domain/rules.js';
import { fail } from '../errors.js';
import type { RuleChange, RuleEventWriter } from '../events/rule-events.js';
import { iso, transaction } from './transaction.js';

/** The fields of a rule a PATCH may change; region is fixed (its events are keyed and routed by it). */
export type RuleChanges = Partial<Omit<RuleDefinition, 'region' | 'match'>> & {
  match?: Partial<RuleDefinition['match']> | undefined;
};

const ruleColumns = `id, name, description, region, enabled, priority, match_sku, match_category, match_segment,
  type, percent_off_bp, amount_minor, currency, min_quantity, valid_from, valid_to, version, created_at, updated_at`;

function toRule(row: Record<string, unknown>): PriceRule {
  return {
    id: String(row.id),
    name: String(row.name),
    description: (row.description as string | null) ?? null,
    region: row.region as Region,
    enabled: Boolean(row.enabled),
    priority: Number(row.priority),
    match: {
      sku: (row.match_sku as string | null) ?? null,
      category: (row.match_category as string | null) ?? null,
      segment: (row.match_segment as string | null) ?? null,
    },
    type: row.type as RuleType,
    percentOffBp: row.percent_off_bp === null ? null : Number(row.percent_off_bp),
    amountMinor: row.amount_minor === null ? null : Number(row.amount_minor),
    currency: (row.currency as Currency | null) ?? null,
    minQuantity: Number(row.min_quantity),
    validFrom: iso(row.valid_from),
    validTo: iso(row.valid_to),
    version: Number(row.version),
    createdAt: (row.created_at as Date).toISOString(),
    updatedAt: (row.updated_at as Date).toISOString(),
  };
}

function ruleValues(rule: RuleDefinition): unknown[] {
  return [
    rule.name,
    rule.description,
    rule.region,
    rule.enabled,
    rule.priority,
    rule.match.sku,
    rule.match.category,
    rule.match.segment,
    rule.type,
    rule.percentOffBp,
    rule.amountMinor,
    rule.currency,
    rule.minQuantity,
    rule.validFrom,
    rule.validTo,
  ];
}

// Rule changes of one region are serialised, so the overlap check below cannot be raced by a concurrent
// create or change (two transactions each seeing the other's rule as absent).
async function lockRegion(client: pg.PoolClient, region: Region): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`pricing.rules.${region}`]);
}

async function assertNoConflict(client: pg.PoolClient, rule: RuleDefinition, selfId: string | null) {
  if (!rule.enabled) return;
  const { rows } = await client.query(
    `SELECT ${ruleColumns} FROM price_rules
     WHERE region = $1 AND enabled AND priority = $2 AND min_quantity = $3
       AND match_sku IS NOT DISTINCT FROM $4 AND match_category IS NOT DISTINCT FROM $5
       AND match_segment IS NOT DISTINCT FROM $6 AND ($7::uuid IS NULL OR id <> $7)`,
    [
      rule.region,
      rule.priority,
      rule.minQuantity,
      rule.match.sku,
      rule.match.category,
      rule.match.segment,
      selfId,
    ],
  );
  const other = rows.map(toRule).find((existing) => rulesConflict(rule, existing));
  if (other) {
    throw fail(
      'RULE_WINDOW_OVERLAP',
      `rule ${other.id} (${other.name}) targets the same lines at priority ${other.priority} from ` +
        `${other.validFrom ?? 'the beginning'} to ${other.validTo ?? 'open end'}; give one a higher priority ` +
        'or make the windows meet end to start',
      {
        conflictingRuleId: other.id,
        field: 'body.validFrom',
        fields: ['body.validFrom', 'body.validTo'],
      },
    );
  }
}

function changeOf(before: PriceRule, after: PriceRule): RuleChange {
  if (before.enabled && !after.enabled) return 'deleted';
  if (!before.enabled && after.enabled) return 'created';
  return 'updated';
}

function sameDefinition(a: RuleDefinition, b: RuleDefinition): boolean {
  return JSON.stringify(ruleValues(a)) === JSON.stringify(ruleValues(b));
}

export function createRuleRepository(pool: pg.Pool, events: RuleEventWriter) {
  return {
    /** Creates a rule and publishes `created` (or nothing, for a rule created disabled) in one transaction. */
    async create(definition: RuleDefinition): Promise<PriceRule> {
      checkRule(definition, regions);
      return transaction(pool, async (client) => {
        await lockRegion(client, definition.region);
        await assertNoConflict(client, definition, null);
        const { rows } = await client.query(
          `INSERT INTO price_rules (name, description, region, enabled, priority, match_sku, match_category,
             match_segment, type, percent_off_bp, amount_minor, currency, min_quantity, valid_from, valid_to)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
           RETURNING ${ruleColumns}`,
          ruleValues(definition),
        );
        const rule = toRule(rows[0]!);
        // A disabled rule applies to nothing: to the contract's readers it does not exist yet.
        if (rule.enabled) await events.ruleChanged(client, 'created', rule);
        return rule;
      });
    },

    async get(id: string): Promise<PriceRule | undefined> {
      const { rows } = await pool.query(`SELECT ${ruleColumns} FROM price_rules WHERE id = $1`, [id]);
      return rows[0] ? toRule(rows[0]) : undefined;
    },

    /**
     * The enabled rules of a region that could touch these SKUs or categories now, through the quote's
     * transaction. Segment-only rules are always included: the segment is checked by the engine.
     */
    async candidates(
      client: pg.ClientBase,
      region: Region,
      skus: string[],
      categories: string[],
      at: Date,
    ): Promise<PriceRule[]> {
      const { rows } = await client.query(
        `SELECT ${ruleColumns} FROM price_rules
         WHERE region = $1 AND enabled
           AND (valid_from IS NULL OR valid_from <= $4) AND (valid_to IS NULL OR valid_to > $4)
           AND (match_sku IS NULL OR match_sku = ANY($2::text[]))
           AND (match_category IS NULL OR match_category = ANY($3::text[]))`,
        [region, skus, categories, at],
      );
      return rows.map(toRule);
    },

    /** Keyset page ordered by (created_at, id). */
    async list(filter: {
      region?: Region | undefined;
      enabled?: boolean | undefined;
      sku?: string | undefined;
      category?: string | undefined;
      after?: Cursor | undefined;
      limit: number;
    }): Promise<{ items: PriceRule[]; more: boolean }> {
      const where: string[] = [];
      const values: unknown[] = [];
      const add = (sql: string, value: unknown) => {
        values.push(value);
        where.push(sql.replace('?', `$${values.length}`));
      };
      if (filter.region) add('region = ?', filter.region);
      if (filter.enabled !== undefined) add('enabled = ?', filter.enabled);
      if (filter.sku) add('match_sku = ?', filter.sku);
      if (filter.category) add('match_category = ?', filter.category);
      if (filter.after) {
        values.push(filter.after.createdAt, filter.after.id);
        where.push(`(created_at, id) > ($${values.length - 1}::timestamptz, $${values.length}::uuid)`);
      }
      values.push(filter.limit + 1);
      const { rows } = await pool.query(
        `SELECT ${ruleColumns} FROM price_rules ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY created_at, id LIMIT $${values.length}`,
        values,
      );
      return { items: rows.slice(0, filter.limit).map(toRule), more: rows.length > filter.limit };
    },

    /**
     * Changes a rule (enabling and disabling included): the merged rule is checked as a whole, its version
     * goes up and the change is published in the same transaction. A change that changes nothing writes
     * nothing and publishes nothing.
     */
    async update(id: string, changes: RuleChanges): Promise<PriceRule> {
      return transaction(pool, async (client) => {
        const { rows: found } = await client.query('SELECT region FROM price_rules WHERE id = $1', [id]);
        if (!found[0]) throw fail('RULE_NOT_FOUND', `rule ${id} does not exist`);
        await lockRegion(client, found[0].region as Region);
        const { rows: locked } = await client.query(
          `SELECT ${ruleColumns} FROM price_rules WHERE id = $1 FOR UPDATE`,
          [id],
        );
        const before = toRule(locked[0]!);
        const merged: RuleDefinition = {
          name: changes.name ?? before.name,
          description: changes.description !== undefined ? changes.description : before.description,
          region: before.region,
          enabled: changes.enabled ?? before.enabled,
          priority: changes.priority ?? before.priority,
          match: { ...before.match, ...changes.match },
          type: changes.type ?? before.type,
          percentOffBp: changes.percentOffBp !== undefined ? changes.percentOffBp : before.percentOffBp,
          amountMinor: changes.amountMinor !== undefined ? changes.amountMinor : before.amountMinor,
          currency: changes.currency !== undefined ? changes.currency : before.currency,
          minQuantity: changes.minQuantity ?? before.minQuantity,
          validFrom: changes.validFrom !== undefined ? changes.validFrom : before.validFrom,
          validTo: changes.validTo !== undefined ? changes.validTo : before.validTo,
        };
        // Switching type drops the value the old type used, unless the request sets it.
        if (changes.type && changes.type !== before.type) {
          if (merged.type === 'percent_off') {
            if (changes.amountMinor === undefined) merged.amountMinor = null;
          } else if (changes.percentOffBp === undefined) merged.percentOffBp = null;
        }
        checkRule(merged, regions);
        if (sameDefinition(merged, before)) return before;
        await assertNoConflict(client, merged, id);
        const { rows } = await client.query(
          // region = $3 keeps the parameter list one shape with the INSERT; the value never changes.
          `UPDATE price_rules SET name = $1, description = $2, region = $3, enabled = $4, priority = $5, match_sku = $6,
             match_category = $7, match_segment = $8, type = $9, percent_off_bp = $10, amount_minor = $11,
             currency = $12, min_quantity = $13, valid_from = $14, valid_to = $15,
             version = version + 1, updated_at = now()
           WHERE id = $16 RETURNING ${ruleColumns}`,
          [...ruleValues(merged), id],
        );
        const after = toRule(rows[0]!);
        // A disabled rule changed while disabled is invisible to readers of the contract: nothing to say.
        if (before.enabled || after.enabled) await events.ruleChanged(client, changeOf(before, after), after);
        return after;
      });
    },
  };
}

export type RuleRepository = ReturnType<typeof createRuleRepository>;

declare module 'fastify' {
  interface FastifyInstance {
    rules: RuleRepository;
  }
}

export const ruleRepositoryPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorate('rules', createRuleRepository(app.pg, app.ruleEvents));
  },
  { name: 'rule-repository', dependencies: ['kit-postgres', 'pricing-rule-events'] },
);
