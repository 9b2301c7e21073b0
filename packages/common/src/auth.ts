import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError } from './errors.js';

export const roles = ['customer', 'admin', 'service'] as const;
export type Role = (typeof roles)[number];

/** What a token says about its bearer. `sub` is a customer id for customers, a name otherwise. */
export interface Claims {
  sub: string;
  roles: Role[];
  email?: string;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: Claims;
    user: Claims;
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** No token needed, even for a mutating method. */
    public?: boolean;
    /** A token with one of these roles is needed (admin passes every role check). */
    roles?: Role[];
  }
}

export interface AuthOptions {
  secret: string;
  issuer: string;
}

const readOnly = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether a set of claims satisfies a list of roles; an admin satisfies any. */
export function hasRole(claims: Claims | undefined, wanted: readonly Role[]): boolean {
  if (!claims) return false;
  return claims.roles.includes('admin') || wanted.some((r) => claims.roles.includes(r));
}

/** Throws FORBIDDEN unless the caller is `ownerId` itself or holds one of `allowed` (admin always does). */
export function assertSelfOrRole(request: FastifyRequest, ownerId: string, ...allowed: Role[]): void {
  const user = request.user as Claims | undefined;
  if (!user) throw new DomainError('UNAUTHENTICATED', 'a bearer token is required');
  if (user.sub === ownerId || hasRole(user, allowed)) return;
  throw new DomainError('FORBIDDEN', 'this resource belongs to another customer');
}

/**
 * JWT bearer verification. Mutating routes need a token unless marked `config.public`; any route can ask
 * for roles with `config.roles`. Read-only routes verify a token when one is sent.
 */
export const authPlugin = fp(
  async (app: FastifyInstance, options: AuthOptions) => {
    await app.register(fastifyJwt, {
      secret: options.secret,
      sign: { iss: options.issuer, expiresIn: '1h' },
      // A verified token is cached (bounded LRU, honouring expiry): services see the same bearer repeatedly.
      verify: { allowedIss: options.issuer, cache: 1000 },
    });
    app.addHook('onRoute', (route) => {
      const config = (route.config ?? {}) as { public?: boolean; roles?: Role[] };
      if (config.public) return;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const mutating = methods.some((m) => !readOnly.has(m));
      const wanted = config.roles;
      const required = mutating || (wanted !== undefined && wanted.length > 0);
      const hook = async (request: FastifyRequest) => {
        if (!request.headers.authorization) {
          if (required) throw new DomainError('UNAUTHENTICATED', 'send Authorization: Bearer <token>');
          return;
        }
        try {
          await request.jwtVerify();
        } catch (err) {
          throw new DomainError('UNAUTHENTICATED', (err as Error).message);
        }
        if (wanted && wanted.length > 0 && !hasRole(request.user, wanted)) {
          throw new DomainError('FORBIDDEN', `one of the roles ${wanted.join(', ')} is required`);
        }
      };
      const existing = route.onRequest;
      route.onRequest = existing ? [hook, ...(Array.isArray(existing) ? existing : [existing])] : [hook];
    });
  },
  { name: 'kit-auth' },
);
