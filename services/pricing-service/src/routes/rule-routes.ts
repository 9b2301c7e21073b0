import { decodeCursor, encodeCursor, problemResponses, type RoutesPlugin } from '@shop/common';
import type { RuleDefinition } from '../domain/rules.js';
import { fail } from '../errors.js';
import { NewRuleBody, Rule, RuleChangesBody, RuleIdParams, RuleListQuery, RulePage } from './schemas.js';

const security = [{ bearer: [] }];

const ruleOrder =
  'One rule prices a line, never more: of the eligible rules (target, time window, quantity break) the ' +
  'highest priority wins, then the lowest unit price, then the earlier created.';

/** Discount rules (admin). Every change that alters what applies publishes `pricing.rule.changed.v1`. */
export const ruleRoutes: RoutesPlugin = async (app) => {
  const { rules } = app;

  app.post(
    '/rules',
    {
      config: { roles: ['admin'], idempotent: true },
      schema: {
        summary: 'Create a rule',
        description:
          `${ruleOrder} An enabled rule publishes \`pricing.rule.changed.v1\` (created) in the same ` +
          'transaction. An enabled rule with the same region, match, quantity break and priority whose window ' +
          'overlaps answers 400 RULE_WINDOW_OVERLAP. Honours Idempotency-Key.',
        tags: ['rules'],
        security,
        body: NewRuleBody,
        response: { 201: Rule, ...problemResponses(400, 401, 403, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const definition: RuleDefinition = {
        name: body.name,
        description: body.description ?? null,
        region: body.region,
        enabled: body.enabled ?? true,
        priority: body.priority ?? 0,
        match: {
          sku: body.match.sku ?? null,
          category: body.match.category ?? null,
          segment: body.match.segment ?? null,
        },
        type: body.type,
        percentOffBp: body.percentOffBp ?? null,
        amountMinor: body.amountMinor ?? null,
        currency: body.currency ?? null,
        minQuantity: body.minQuantity ?? 1,
        validFrom: body.validFrom ? new Date(body.validFrom).toISOString() : null,
        validTo: body.validTo ? new Date(body.validTo).toISOString() : null,
      };
      const rule = await rules.create(definition);
      return reply.status(201).header('location', `/rules/${rule.id}`).send(rule);
    },
  );

  app.get(
    '/rules',
    {
      config: { roles: ['admin', 'service'] },
      schema: {
        summary: 'List rules',
        description: 'Keyset pagination ordered by creation: pass `nextCursor` back as `cursor`.',
        tags: ['rules'],
        security,
        querystring: RuleListQuery,
        response: { 200: RulePage, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const { limit, cursor, region, enabled, sku, category } = request.query;
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      if (cursor !== undefined && !after)
        throw fail('INVALID_CURSOR', 'use the nextCursor of a previous page');
      const page = await rules.list({
        limit,
        region,
        sku,
        category,
        after,
        enabled: enabled === undefined ? undefined : enabled === 'true',
      });
      const last = page.items.at(-1);
      return { items: page.items, nextCursor: page.more && last ? encodeCursor(last) : null };
    },
  );

  app.get(
    '/rules/:ruleId',
    {
      config: { roles: ['admin', 'service'] },
      schema: {
        summary: 'Get a rule',
        tags: ['rules'],
        security,
        params: RuleIdParams,
        response: { 200: Rule, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const rule = await rules.get(request.params.ruleId);
      if (!rule) throw fail('RULE_NOT_FOUND', `rule ${request.params.ruleId} does not exist`);
      return rule;
    },
  );

  app.patch(
    '/rules/:ruleId',
    {
      config: { roles: ['admin'], idempotent: true },
      schema: {
        summary: 'Change, disable or enable a rule',
        description:
          'The rule as changed is checked as a whole (windows, effect, overlaps). Its version goes up and ' +
          '`pricing.rule.changed.v1` is published in the same transaction: `updated`, `deleted` when it is ' +
          'disabled, `created` when enabled again. A change that changes nothing publishes nothing. The region ' +
          'is fixed. Honours Idempotency-Key.',
        tags: ['rules'],
        security,
        params: RuleIdParams,
        body: RuleChangesBody,
        response: { 200: Rule, ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (request) => {
      const { validFrom, validTo, ...rest } = request.body;
      const instant = (v: string | null | undefined) =>
        v === undefined ? undefined : v === null ? null : new Date(v).toISOString();
      return rules.update(request.params.ruleId, {
        ...rest,
        ...(validFrom !== undefined ? { validFrom: instant(validFrom) } : {}),
        ...(validTo !== undefined ? { validTo: instant(validTo) } : {}),
      });
    },
  );

  app.delete(
    '/rules/:ruleId',
    {
      config: { roles: ['admin'] },
      schema: {
        summary: 'Disable a rule',
        description:
          'Rules are never erased (quotes name them): this disables the rule, as PATCH `{"enabled": false}` ' +
          'does, and publishes `deleted`. Disabling a disabled rule changes nothing.',
        tags: ['rules'],
        security,
        params: RuleIdParams,
        response: { 200: Rule, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => rules.update(request.params.ruleId, { enabled: false }),
  );
};
