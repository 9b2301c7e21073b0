import { trace } from '@opentelemetry/api';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError, type ErrorCatalog, isUnavailable, kitErrors } from './errors.js';

/** RFC 9457 problem details, with the kit's extensions `code`, `traceId`, `requestId` and `errors`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance: string;
  code: string;
  traceId?: string;
  requestId: string;
  errors?: Array<{ field: string; message: string }>;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const reservedMembers = new Set([
  'type',
  'title',
  'status',
  'detail',
  'instance',
  'code',
  'traceId',
  'requestId',
  'errors',
]);

export interface ProblemOptions {
  catalog: ErrorCatalog;
  /** Base of the `type` URI; the code is appended in kebab case. */
  typeBase?: string;
}

function typeUri(base: string, code: string): string {
  return `${base}${code.toLowerCase().replaceAll('_', '-')}`;
}

// Fastify's own error codes that are the client's fault, mapped to the kit's codes.
const fastifyCodes: Record<string, keyof typeof kitErrors> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_BODY',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_BODY',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_BODY',
  FST_ERR_VALIDATION: 'VALIDATION_FAILED',
  FST_JWT_NO_AUTHORIZATION_IN_HEADER: 'UNAUTHENTICATED',
  FST_JWT_AUTHORIZATION_TOKEN_INVALID: 'UNAUTHENTICATED',
  FST_JWT_AUTHORIZATION_TOKEN_EXPIRED: 'UNAUTHENTICATED',
  FST_JWT_AUTHORIZATION_TOKEN_UNTRUSTED: 'UNAUTHENTICATED',
  FST_JWT_BAD_REQUEST: 'UNAUTHENTICATED',
  FST_JWT_BAD_COOKIE_REQUEST: 'UNAUTHENTICATED',
};

function validationErrors(error: FastifyError): NonNullable<Problem['errors']> {
  const where = error.validationContext ?? 'body';
  return (error.validation ?? []).map((v) => {
    const path = v.instancePath.split('/').filter(Boolean);
    // An unknown key is reported on the object that holds it; name the key itself.
    const keys = (v.params as { keys?: unknown }).keys;
    if (v.keyword === 'unrecognized_keys' && Array.isArray(keys)) path.push(keys.join(','));
    return { field: [where, ...path].join('.'), message: v.message ?? 'is not valid' };
  });
}

/** Resolves any thrown value to a problem. Pure apart from reading the active span. */
export function toProblem(error: unknown, request: FastifyRequest, options: ProblemOptions): Problem {
  const catalog: ErrorCatalog = { ...kitErrors, ...options.catalog };
  const base = options.typeBase ?? 'https://errors.ecommerce-lab.dev/';
  const traceId = trace.getActiveSpan()?.spanContext().traceId;
  const make = (code: string, detail: string | undefined, extra: Partial<Problem> = {}): Problem => {
    const def = catalog[code] ?? kitErrors.INTERNAL;
    return {
      type: typeUri(base, code),
      title: def.title,
      status: def.status,
      ...(detail === undefined ? {} : { detail }),
      instance: request.url,
      code,
      ...(traceId ? { traceId } : {}),
      requestId: request.id,
      ...extra,
    };
  };

  if (error instanceof DomainError) {
    if (!catalog[error.code]) return make('INTERNAL', undefined);
    // Details extend the problem but never replace the kit's own members (a detail named `status` once
    // turned a 409 into a 500).
    const extra = Object.fromEntries(
      Object.entries(error.details ?? {}).filter(([key]) => !reservedMembers.has(key)),
    );
    return make(error.code, error.message, extra);
  }
  const fe = error as FastifyError;
  if (fe?.validation) {
    const errors = validationErrors(fe);
    const detail = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    return make('VALIDATION_FAILED', detail || fe.message, { errors });
  }
  if (typeof fe?.code === 'string' && fastifyCodes[fe.code]) {
    return make(fastifyCodes[fe.code]!, fe.message);
  }
  if (error instanceof SyntaxError || (fe?.statusCode === 400 && fe.message?.includes('JSON'))) {
    return make('MALFORMED_BODY', `the body is not valid JSON: ${fe.message}`);
  }
  if (isUnavailable(error)) return make('DEPENDENCY_UNAVAILABLE', 'try again shortly');
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code =
      fe.statusCode === 413
        ? 'PAYLOAD_TOO_LARGE'
        : fe.statusCode === 415
          ? 'UNSUPPORTED_MEDIA_TYPE'
          : 'MALFORMED_BODY';
    return make(code, fe.message, { status: fe.statusCode });
  }
  return make('INTERNAL', undefined);
}

/** Sends a problem response; usable from handlers that answer an error without throwing. */
export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  if (problem.status === 503) reply.header('retry-after', '5');
  return reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

/** Error and not-found handlers answering RFC 9457 problem+json; 5xx details stay in the log. */
export const problemPlugin = fp(
  async (app: FastifyInstance, options: ProblemOptions) => {
    app.setErrorHandler((error, request, reply) => {
      const problem = toProblem(error, request, options);
      if (problem.status >= 500) {
        const span = trace.getActiveSpan();
        span?.recordException(error as Error);
        request.log.error({ err: error, code: problem.code }, 'request failed');
      } else {
        request.log.info({ code: problem.code, status: problem.status }, problem.detail ?? problem.title);
      }
      return sendProblem(reply, problem);
    });
    app.setNotFoundHandler((request, reply) =>
      sendProblem(reply, {
        ...toProblem(
          new DomainError('ROUTE_NOT_FOUND', `${request.method} ${request.url} does not exist`),
          request,
          options,
        ),
      }),
    );
  },
  { name: 'kit-problem' },
);
