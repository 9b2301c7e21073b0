import { DomainError, type ErrorCatalog, isCouchUnavailable, isUnavailable, kitErrors } from '@shop/common';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ExecutionResult, GraphQLError } from 'graphql';
import mercurius from 'mercurius';
import { errors as catalogErrors } from '../errors.js';
import { costLimitRule } from './cost.js';
import { buildStorefrontSchema, type StorefrontDeps } from './schema.js';

export interface StorefrontGraphqlOptions {
  deps: StorefrontDeps;
  maxDepth: number;
  maxCost: number;
}

/** One GraphQL error as the response carries it; `extensions.code` is always set. */
export interface GraphqlErrorBody {
  message: string;
  locations?: ReadonlyArray<{ line: number; column: number }>;
  path?: ReadonlyArray<string | number>;
  extensions: Record<string, unknown> & { code: string };
}

const catalog: ErrorCatalog = { ...kitErrors, ...catalogErrors };

/**
 * A resolver's error as the client sees it, with the HTTP status it calls for: domain errors keep their
 * code (INVALID_CURSOR → 400), an unreachable store is 503, anything else is 500 with its detail hidden.
 */
export function formatResolverError(error: GraphQLError): { status: number; body: GraphqlErrorBody } {
  const original = error.originalError;
  const where = {
    ...(error.locations ? { locations: error.locations } : {}),
    ...(error.path ? { path: error.path } : {}),
  };
  if (original instanceof DomainError && catalog[original.code]) {
    const status = catalog[original.code]!.status;
    return {
      status,
      body: { message: original.message, ...where, extensions: { code: original.code, ...original.details } },
    };
  }
  if (original && (isUnavailable(original) || isCouchUnavailable(original))) {
    return {
      status: 503,
      body: {
        message: 'a dependency is unavailable; try again shortly',
        ...where,
        extensions: { code: 'DEPENDENCY_UNAVAILABLE' },
      },
    };
  }
  if (!original) {
    // graphql-js' own errors during execution: a variable or argument that does not coerce.
    return {
      status: 400,
      body: { message: error.message, ...where, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
    };
  }
  return { status: 500, body: { message: 'Internal error', ...where, extensions: { code: 'INTERNAL' } } };
}

/** Errors that stopped a query before it ran (syntax, validation, depth, cost): 400 with each reason. */
export function formatRejection(errors: ReadonlyArray<unknown>): GraphqlErrorBody[] {
  return errors.map((raw) => {
    const e = raw as Partial<GraphQLError> & { code?: string };
    const extensions = (e.extensions ?? {}) as Record<string, unknown>;
    const code =
      typeof extensions.code === 'string'
        ? extensions.code
        : e.code === 'MER_ERR_GQL_QUERY_DEPTH'
          ? 'QUERY_TOO_DEEP'
          : 'GRAPHQL_VALIDATION_FAILED';
    return {
      message: String(e.message),
      ...(e.locations ? { locations: e.locations } : {}),
      extensions: { ...extensions, code },
    };
  });
}

/**
 * Mercurius with the storefront schema, limits on depth and cost, and compiled execution (graphql-jit)
 * for repeated queries. It serves no route itself: routes/graphql-routes.ts does, so that the endpoint
 * shares the kit's auth, validation and caching like every other route.
 */
export const storefrontGraphqlPlugin = fp(
  async (app: FastifyInstance, options: StorefrontGraphqlOptions) => {
    await app.register(mercurius, {
      schema: buildStorefrontSchema(options.deps),
      routes: false,
      graphiql: false,
      queryDepth: options.maxDepth,
      validationRules: [costLimitRule(options.maxCost)],
      jit: 1,
      errorFormatter: (execution: ExecutionResult, context: { reply?: { log: FastifyInstance['log'] } }) => {
        const formatted = (execution.errors ?? []).map(formatResolverError);
        for (const [i, f] of formatted.entries()) {
          if (f.status >= 500)
            context.reply?.log.error({ err: execution.errors?.[i]?.originalError }, 'resolver failed');
        }
        // The worst class wins: one unavailable store makes the whole answer a 503 the client retries.
        const status = formatted.reduce((worst, f) => Math.max(worst, f.status), 200);
        return {
          statusCode: status >= 500 ? status : status >= 400 ? 400 : 200,
          response: { data: execution.data ?? null, errors: formatted.map((f) => f.body) },
        };
      },
    });
  },
  { name: 'storefront-graphql', dependencies: ['product-repository'] },
);
