import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import Nano, { type ServerScope } from 'nano';
import { DomainError } from './errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The CouchDB API server: `app.couch.use(name)` for a database. */
    couch: ServerScope;
  }
}

export interface CouchDbOptions {
  /** Server URL with credentials, e.g. `http://admin:secret@127.0.0.1:15984`. */
  url: string;
  /** Databases the service needs; /ready fails while any of them is missing or refuses the login. */
  databases: string[];
}

/**
 * A nano client. It speaks HTTP per request, so creating one never connects: an app builds and starts
 * while the server is away and recovers on the next request when it is back.
 */
export function createCouch(url: string): ServerScope {
  return Nano({ url });
}

/**
 * True when the CouchDB API could not be reached or said it is unavailable (503), as opposed to a
 * rejected request. nano reports a refused or reset connection as a plain Error without a status.
 */
export function isCouchUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { statusCode?: unknown; message?: unknown };
  if (e.statusCode === 503) return true;
  return (
    e.statusCode === undefined &&
    typeof e.message === 'string' &&
    e.message.startsWith('error happened in your connection')
  );
}

/** The status of a CouchDB API error (404, 409, …), or undefined for anything else. */
export function couchStatus(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Runs CouchDB requests for one HTTP request: an unreachable server becomes DEPENDENCY_UNAVAILABLE (503
 * problem+json, never a 500), and so does one that has not answered within `timeoutMs` (nano has no
 * timeout of its own), so a hung server cannot hold a request, or a graceful shutdown, forever. After a
 * timeout a write may still have been applied; the client reads back before retrying.
 */
export async function couchCall<T>(work: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new DomainError('DEPENDENCY_UNAVAILABLE', `the CouchDB API did not answer within ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work(), expired]);
  } catch (err) {
    if (isCouchUnavailable(err))
      throw new DomainError('DEPENDENCY_UNAVAILABLE', 'the CouchDB API is unavailable');
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** `app.couch` plus a readiness check that every needed database answers to the service's login. */
export const couchdbPlugin = fp(
  async (app: FastifyInstance, options: CouchDbOptions) => {
    const couch = createCouch(options.url);
    app.decorate('couch', couch);
    app.addReadinessCheck({
      name: 'couchdb',
      check: () => Promise.all(options.databases.map((db) => couch.db.get(db))),
    });
  },
  { name: 'kit-couchdb', dependencies: ['kit-health'] },
);
