import { createHash, createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Honour an Idempotency-Key header on this route: a repeat gets the first response. */
    idempotent?: boolean;
  }
  interface FastifyRequest {
    idempotencyScope?: string;
  }
}

export interface StoredResponse {
  status: number;
  contentType: string;
  body: string;
}

export type BeginResult =
  | { state: 'new' }
  | { state: 'in-progress' }
  | { state: 'mismatch' }
  | { state: 'done'; response: StoredResponse };

/** Where idempotency keys live. Implementations must make `begin` atomic per scope. */
export interface IdempotencyStore {
  begin(scope: string, fingerprint: string): Promise<BeginResult>;
  complete(scope: string, response: StoredResponse): Promise<void>;
  /** Forgets a key whose request failed on the server side, so the client may retry it. */
  release(scope: string): Promise<void>;
}

interface PgLike {
  query(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}

/**
 * Idempotency keys in the service's own PostgreSQL database; keys expire after `ttlHours`. The service's
 * migrations create the table: idempotency_keys(scope text primary key, fingerprint text, state text
 * ('pending'|'done'), response_status integer, response_type text, response_body text, created_at timestamptz).
 */
export function pgIdempotencyStore(db: PgLike, ttlHours = 24): IdempotencyStore {
  return {
    async begin(scope, fingerprint) {
      await db.query(
        `DELETE FROM idempotency_keys WHERE scope = $1 AND created_at < now() - make_interval(hours => $2)`,
        [scope, ttlHours],
      );
      const inserted = await db.query(
        `INSERT INTO idempotency_keys (scope, fingerprint, state) VALUES ($1, $2, 'pending')
         ON CONFLICT (scope) DO NOTHING`,
        [scope, fingerprint],
      );
      if (inserted.rowCount === 1) return { state: 'new' };
      const { rows } = await db.query(
        'SELECT fingerprint, state, response_status, response_type, response_body FROM idempotency_keys WHERE scope = $1',
        [scope],
      );
      const row = rows[0];
      if (!row) return this.begin(scope, fingerprint); // released between the two statements
      if (row.fingerprint !== fingerprint) return { state: 'mismatch' };
      if (row.state !== 'done') return { state: 'in-progress' };
      return {
        state: 'done',
        response: {
          status: Number(row.response_status),
          contentType: String(row.response_type),
          body: String(row.response_body),
        },
      };
    },
    async complete(scope, response) {
      await db.query(
        `UPDATE idempotency_keys SET state = 'done', response_status = $2, response_type = $3, response_body = $4
         WHERE scope = $1`,
        [scope, response.status, response.contentType, response.body],
      );
    },
    async release(scope) {
      await db.query(`DELETE FROM idempotency_keys WHERE scope = $1 AND state = 'pending'`, [scope]);
    },
  };
}

/**
 * A stable fingerprint of what the request asks for: path parameters and body. With a key it is an HMAC, for
 * bodies that carry something sensitive (a card number): a plain hash of a card number can be reversed by
 * hashing every possible number, a keyed one cannot without the key.
 */
export function fingerprint(request: Pick<FastifyRequest, 'params' | 'body'>, key?: string): string {
  return (key ? createHmac('sha256', key) : createHash('sha256'))
    .update(canonicalJson({ params: request.params ?? null, body: request.body ?? null }))
    .digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

const keyPattern = /^[\x21-\x7e]{1,255}$/;

/**
 * Idempotency-Key for routes with `config.idempotent`: the same key and body answer the first response
 * again (with `idempotent-replayed: true`); the same key with another body answers 422.
 */
export const idempotencyPlugin = fp(
  async (
    app: FastifyInstance,
    options: {
      service: string;
      store: IdempotencyStore;
      /** Makes the stored fingerprint an HMAC with this key; set it where request bodies hold card data. */
      fingerprintKey?: string;
    },
  ) => {
    const { store } = options;
    app.addHook('preHandler', async (request, reply) => {
      if (!request.routeOptions.config.idempotent) return;
      const key = request.headers['idempotency-key'];
      if (key === undefined) return;
      if (typeof key !== 'string' || !keyPattern.test(key)) {
        throw new DomainError('INVALID_IDEMPOTENCY_KEY', 'use 1 to 255 visible ASCII characters');
      }
      // Scoped by caller and route, so two customers can never collide on a key.
      const caller = (request.user as { sub?: string } | undefined)?.sub ?? 'anonymous';
      const scope = `${options.service}:${request.method}:${request.routeOptions.url}:${caller}:${key}`;
      const result = await store.begin(scope, fingerprint(request, options.fingerprintKey));
      switch (result.state) {
        case 'new':
          request.idempotencyScope = scope;
          return;
        case 'mismatch':
          throw new DomainError(
            'IDEMPOTENCY_KEY_REUSED',
            'send a new Idempotency-Key for a different request',
          );
        case 'in-progress':
          throw new DomainError('IDEMPOTENCY_KEY_IN_USE', 'retry after the first request has finished');
        case 'done':
          reply.header('idempotent-replayed', 'true');
          return reply
            .status(result.response.status)
            .type(result.response.contentType)
            .send(result.response.body);
      }
    });
    app.addHook('onSend', async (request, reply, payload) => {
      const scope = request.idempotencyScope;
      if (!scope) return payload;
      request.idempotencyScope = undefined;
      if (reply.statusCode >= 500) {
        await store.release(scope);
      } else {
        await store.complete(scope, {
          status: reply.statusCode,
          contentType: String(reply.getHeader('content-type') ?? 'application/json'),
          body:
            typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '',
        });
      }
      return payload;
    });
  },
  { name: 'kit-idempotency', dependencies: ['kit-auth'] },
);
