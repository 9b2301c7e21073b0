import { type Claims, DomainError, hasRole } from '@shop/common';
import type { FastifyRequest } from 'fastify';
import { hashToken, type StoredCart, tokenMatches } from '../db/cart-repository.js';
import { itemCount, lineTotal, subtotal } from '../domain/cart.js';

/**
 * Cart routes are `public` for the kit (a guest has no bearer token), so they verify a bearer token
 * themselves when one is sent. This runs as an onRequest hook, before the kit's Idempotency-Key check,
 * which scopes keys by `request.user.sub`: a guest gets a subject derived from their cart token, so a
 * replayed answer only ever goes to the holder of the same token, never to another anonymous caller.
 */
export async function identifyCaller(request: FastifyRequest): Promise<void> {
  if (!request.headers.authorization) {
    const token = cartToken(request);
    if (token) request.user = { sub: `guest:${hashToken(token)}`, roles: [] };
    return;
  }
  try {
    await request.jwtVerify();
  } catch (err) {
    throw new DomainError('UNAUTHENTICATED', (err as Error).message);
  }
}

export function claimsOf(request: FastifyRequest): Claims | undefined {
  return request.headers.authorization ? (request.user as Claims) : undefined;
}

function cartToken(request: FastifyRequest): string | undefined {
  const value = request.headers['x-cart-token'];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * A customer's cart: that customer, or a service or admin. A guest cart: whoever holds its token, or a
 * service or admin. Nobody else, and the answer says whether credentials are missing (401) or wrong (403).
 */
export function assertCartAccess(request: FastifyRequest, cart: StoredCart): void {
  const claims = claimsOf(request);
  if (hasRole(claims, ['service'])) return;
  if (cart.customerId !== null) {
    if (claims?.sub === cart.customerId) return;
    if (!claims) throw new DomainError('UNAUTHENTICATED', 'send Authorization: Bearer <token>');
    throw new DomainError('FORBIDDEN', 'this cart belongs to another customer');
  }
  const token = cartToken(request);
  if (token && tokenMatches(token, cart.guestTokenHash)) return;
  if (!token && !claims) throw new DomainError('UNAUTHENTICATED', 'send the X-Cart-Token of this guest cart');
  throw new DomainError('FORBIDDEN', 'this guest cart belongs to someone else');
}

/** The cart as the API shows it: totals computed, the token hash left out. */
export function cartView(cart: StoredCart) {
  return {
    id: cart.id,
    customerId: cart.customerId,
    region: cart.region,
    currency: cart.currency,
    status: cart.status,
    version: cart.version,
    mergedInto: cart.mergedInto,
    lines: cart.lines.map((l) => ({
      sku: l.sku,
      name: l.name,
      quantity: l.quantity,
      unitPriceMinor: l.unitPriceMinor,
      lineTotalMinor: lineTotal(l),
      currency: l.currency,
      quoteId: l.quoteId,
      rulesApplied: l.rulesApplied,
      pricedAt: l.pricedAt,
      needsReprice: l.needsReprice,
      addedAt: l.addedAt,
    })),
    itemCount: itemCount(cart),
    subtotalMinor: subtotal(cart),
    createdAt: cart.createdAt,
    updatedAt: cart.updatedAt,
  };
}
