import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { costLimitRule } from '../../src/graphql/cost.js';
import { buildStorefrontSchema } from '../../src/graphql/schema.js';

// Resolvers never run in these tests; the schema only needs their shape.
const schema = buildStorefrontSchema({ products: {} as never, mediaUrl: async () => '' });

function costErrors(query: string, maxCost = 1000) {
  return validate(schema, parse(query), [costLimitRule(maxCost)]);
}

describe('costLimitRule', () => {
  it('accepts a storefront listing of 20 products with media', () => {
    expect(
      costErrors('{ products(first: 20) { items { sku title media { url } } pageInfo { endCursor } } }'),
    ).toEqual([]);
  });

  it('refuses 100 products with 10 related each, naming the cost and the limit', () => {
    const [error] = costErrors('{ products(first: 100) { items { sku related(first: 10) { sku title } } } }');
    expect(error?.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', maxCost: 1000 });
    expect(error?.extensions.cost).toBe(1 + 100 * (1 + 1 + (1 + 10 * 2)));
  });

  it('counts a variable page size at its maximum and a missing one at its default', () => {
    const q = (arg: string) => `query($n: Int!) { products${arg} { items { sku } } }`;
    const withVariable = costErrors(q('(first: $n)'), 1);
    const withDefault = costErrors(q(''), 1);
    expect(withVariable[0]?.extensions.cost).toBe(1 + 100 * 2);
    expect(withDefault[0]?.extensions.cost).toBe(1 + 20 * 2);
  });

  it('follows fragments and caps a page size above the maximum', () => {
    const [error] = costErrors(
      'query { products(first: 5000) { ...page } } fragment page on ProductPage { items { sku } }',
      1,
    );
    expect(error?.extensions.cost).toBe(1 + 100 * 2);
  });
});
