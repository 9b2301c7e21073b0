import { DomainError, problemResponses, problemSchema, type RoutesPlugin } from '@shop/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../config.js';
import { formatRejection } from '../graphql/storefront-graphql.js';
import { GraphqlBody, GraphqlQuery, GraphqlResponse } from './schemas.js';

interface GraphqlRequest {
  query: string;
  variables?: Record<string, unknown> | null | undefined;
  operationName?: string | null | undefined;
}

const json = 'application/json; charset=utf-8';

/** The cache key of a POST body that holds a GraphQL request and nothing else; undefined otherwise. */
export function postKey(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const { query, variables = null, operationName = null, ...rest } = body as Record<string, unknown>;
  if (typeof query !== 'string' || Object.keys(rest).length > 0) return undefined;
  return JSON.stringify([query, variables, operationName]);
}

/**
 * POST and GET /graphql for the storefront. Public and read-only, so a successful answer depends only on
 * the request and the catalog: it is kept in the storefront cache, keyed by query, variables and
 * operation, until the catalog changes or the TTL passes.
 */
export const graphqlRoutes: RoutesPlugin<{ logLevel: Config['CATALOG_STOREFRONT_LOG_LEVEL'] }> = async (
  app,
  options,
) => {
  const cache = app.storefrontCache;
  const passThrough = (payload: unknown) => payload as string;
  // A Buffer is sent without serialisation or encoding.
  const sendHit = (reply: FastifyReply, body: Buffer) => reply.header('x-cache', 'hit').type(json).send(body);

  // A GET is keyed by its URL as sent: another spelling is only a miss, and a URL with a bad parameter
  // never got an answer to keep. Looked up before validation, so a hit costs a map read.
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET') return;
    const hit = cache.get(request.url);
    if (hit) return sendHit(reply, hit);
  });
  // A POST is keyed by what it asks; a body with anything else is left to validation (and its 400).
  app.addHook('preValidation', async (request, reply) => {
    if (request.method !== 'POST') return;
    const key = postKey(request.body);
    const hit = key === undefined ? undefined : cache.get(key);
    if (hit) return sendHit(reply, hit);
  });

  // Misses of one key in flight at once share one execution: when a change drops the cache under load,
  // the next hundred identical requests cost one query of the store, not a hundred.
  const inflight = new Map<string, Promise<{ status: number; body: string }>>();

  async function execute(request: FastifyRequest, reply: FastifyReply, key: string, input: GraphqlRequest) {
    const generation = cache.generation();
    try {
      const result = await app.graphql(
        input.query,
        { reply, request } as never,
        input.variables ?? undefined,
        input.operationName ?? undefined,
      );
      const body = JSON.stringify(result);
      if (!result.errors) cache.set(key, Buffer.from(body), generation);
      // The error formatter set the status on this reply (400, 503, …); the waiters get the same.
      return { status: reply.statusCode, body };
    } catch (err) {
      const rejected = (err as { errors?: unknown }).errors;
      if (!Array.isArray(rejected)) throw err;
      // Refused before execution (syntax, unknown field, depth, cost): the client's query is at fault.
      return { status: 400, body: JSON.stringify({ data: null, errors: formatRejection(rejected) }) };
    }
  }

  async function answer(request: FastifyRequest, reply: FastifyReply, key: string, input: GraphqlRequest) {
    let pending = inflight.get(key);
    if (!pending) {
      pending = execute(request, reply, key, input).finally(() => inflight.delete(key));
      inflight.set(key, pending);
    }
    const { status, body } = await pending;
    return reply.status(status).header('x-cache', 'miss').type(json).serializer(passThrough).send(body);
  }

  // 400 and 503 are GraphQL answers from the query, or problem+json from the HTTP layer (a malformed body).
  const either = z.union([problemSchema, GraphqlResponse]);
  const responses = { 200: GraphqlResponse, 400: either, 503: either, ...problemResponses(415) };

  app.post(
    '/graphql',
    {
      config: { public: true },
      logLevel: options.logLevel,
      schema: {
        summary: 'Storefront GraphQL',
        description:
          'Queries `products(filter, sort, first, after)`, `product(sku)` and `categories` over active products. Too deep or too costly queries answer 400 with the reason in `errors[].extensions.code` (QUERY_TOO_DEEP, QUERY_TOO_COSTLY).',
        tags: ['storefront'],
        body: GraphqlBody,
        response: responses,
      },
    },
    (request, reply) => answer(request, reply, postKey(request.body)!, request.body),
  );

  app.get(
    '/graphql',
    {
      logLevel: options.logLevel,
      schema: {
        summary: 'Storefront GraphQL over GET',
        description:
          '`query`, `variables` (a JSON object) and `operationName` in the query string; cacheable by URL.',
        tags: ['storefront'],
        querystring: GraphqlQuery,
        response: responses,
      },
    },
    (request, reply) => {
      const { query, variables, operationName } = request.query;
      let parsed: Record<string, unknown> | undefined;
      if (variables !== undefined) {
        try {
          parsed = JSON.parse(variables) as Record<string, unknown>;
        } catch {
          parsed = undefined;
        }
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
          throw new DomainError('VALIDATION_FAILED', 'querystring.variables: must be a JSON object');
      }
      return answer(request, reply, request.url, { query, variables: parsed, operationName });
    },
  );
};
