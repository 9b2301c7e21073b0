import { DomainError } from '@shop/common';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { formatRejection, formatResolverError } from '../../src/graphql/storefront-graphql.js';
import { postKey } from '../../src/routes/graphql-routes.js';

const wrap = (original?: Error) =>
  new GraphQLError('wrapped', { path: ['products'], ...(original ? { originalError: original } : {}) });

describe('formatResolverError', () => {
  it('keeps a domain error with its code and status', () => {
    const f = formatResolverError(wrap(new DomainError('INVALID_CURSOR', 'use pageInfo.endCursor')));
    expect(f).toEqual({
      status: 400,
      body: { message: 'use pageInfo.endCursor', path: ['products'], extensions: { code: 'INVALID_CURSOR' } },
    });
  });

  it('makes an unreachable store a 503 and hides anything else as a 500', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(formatResolverError(wrap(refused)).status).toBe(503);
    const couch = new Error('error happened in your connection. Reason: TypeError: fetch failed');
    expect(formatResolverError(wrap(couch)).body.extensions.code).toBe('DEPENDENCY_UNAVAILABLE');
    const bug = formatResolverError(wrap(new TypeError('x is undefined')));
    expect(bug).toMatchObject({
      status: 500,
      body: { message: 'Internal error', extensions: { code: 'INTERNAL' } },
    });
  });

  it('treats graphql-js own execution errors as the client’s', () => {
    expect(formatResolverError(wrap()).status).toBe(400);
  });
});

describe('formatRejection', () => {
  it('names depth and cost refusals and defaults the rest to validation', () => {
    const depth = Object.assign(new Error('unnamedQuery query exceeds the query depth limit of 6'), {
      code: 'MER_ERR_GQL_QUERY_DEPTH',
    });
    const cost = new GraphQLError('too costly', { extensions: { code: 'QUERY_TOO_COSTLY', cost: 9 } });
    const syntax = new GraphQLError('Syntax Error', { source: undefined });
    expect(formatRejection([depth, cost, syntax]).map((e) => e.extensions)).toEqual([
      { code: 'QUERY_TOO_DEEP' },
      { code: 'QUERY_TOO_COSTLY', cost: 9 },
      { code: 'GRAPHQL_VALIDATION_FAILED' },
    ]);
  });
});

describe('postKey', () => {
  it('keys a GraphQL request by what it asks, and refuses anything else', () => {
    expect(postKey({ query: '{a}' })).toBe(postKey({ query: '{a}', variables: null, operationName: null }));
    expect(postKey({ query: '{a}', variables: { n: 1 } })).not.toBe(postKey({ query: '{a}' }));
    expect(postKey({ query: '{a}', extra: 1 })).toBeUndefined();
    expect(postKey({ query: 1 })).toBeUndefined();
    expect(postKey('query')).toBeUndefined();
  });
});
