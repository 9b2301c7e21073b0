import { randomBytes, randomUUID } from 'node:crypto';
import { DomainError, hasRole, problemResponses, type RoutesPlugin } from '@shop/common';
import { hashToken, type StoredCart, tokenMatches } from '../db/cart-repository.js';
import {
  applyReprice,
  assertCheckoutable,
  assertCurrency,
  linesToReprice,
  markCheckedOut,
  markMerged,
  mergeCarts,
  type PriceSnapshot,
  regionCurrency,
} from '../domain/cart.js';
import { buildCheckout, type CheckoutResult } from '../domain/checkout.js';
import { fail } from '../errors.js';
import type { CartEvent } from '../events/cart-events.js';
import { assertCartAccess, cartView, claimsOf, identifyCaller } from './access.js';
import {
  Cart,
  CartIdParams,
  CartTokenHeaders,
  Checkout,
  CreatedCart,
  MergeBody,
  MergedCart,
  NewCartBody,
} from './schemas.js';

// A cart changed between re-pricing and writing is re-priced again; this many tries.
const attempts = 3;

interface MergeOutcome {
  cart: StoredCart;
  moved: string[];
  capped: string[];
  /** The guest cart as merged; absent when the merge had already happened. */
  guest?: StoredCart;
}

interface CheckoutOutcome {
  checkout: CheckoutResult;
  /** The checked-out cart; absent when another call had checked it out first. */
  cart?: StoredCart;
}

/** Carts: create or find, read (Redis first), merge a guest cart, check out once. */
export const cartRoutes: RoutesPlugin<{ repriceAfterSeconds: number }> = async (app, options) => {
  const { carts, liveCarts, pricing } = app;
  app.addHook('onRequest', identifyCaller);

  app.post(
    '/carts',
    {
      // No Idempotency-Key: a customer's cart is found again anyway, and keys of anonymous callers would
      // share one scope, so a replay could hand one guest another guest's cart token.
      config: { public: true },
      schema: {
        summary: 'Create a cart, or find the open one',
        description:
          "With a customer's bearer token: the customer's open cart in the region (200), created if there is " +
          'none (201); a customer has one open cart per region. Without a token: a new guest cart (201) and ' +
          'its `cartToken`, shown only here (a retried guest creation makes another empty guest cart).',
        tags: ['carts'],
        security: [{ bearer: [] }, {}],
        body: NewCartBody,
        response: { 200: Cart, 201: CreatedCart, ...problemResponses(400, 401, 403, 409, 503) },
      },
    },
    async (request, reply) => {
      const { region, currency: asked, customerId: forCustomer } = request.body;
      const claims = claimsOf(request);
      let owner: string | null = null;
      if (forCustomer) {
        if (!claims) throw new DomainError('UNAUTHENTICATED', 'send Authorization: Bearer <token>');
        if (claims.sub !== forCustomer && !hasRole(claims, ['service'])) {
          throw new DomainError('FORBIDDEN', 'a customer may only create their own cart');
        }
        owner = forCustomer;
      } else if (claims?.roles.includes('customer')) {
        owner = claims.sub;
      }
      const currency = asked ?? regionCurrency[region];
      if (owner) {
        const { cart, created } = await carts.create({
          id: randomUUID(),
          customerId: owner,
          guestTokenHash: null,
          region,
          currency,
        });
        if (!created) assertCurrency(cart, asked);
        await liveCarts.put(cart);
        return reply
          .status(created ? 201 : 200)
          .header('location', `/carts/${cart.id}`)
          .send(cartView(cart));
      }
      // 256 random bits: the token is the guest's only credential, so it must not be guessable.
      const token = randomBytes(32).toString('base64url');
      const { cart } = await carts.create({
        id: randomUUID(),
        customerId: null,
        guestTokenHash: hashToken(token),
        region,
        currency,
      });
      await liveCarts.put(cart);
      return reply
        .status(201)
        .header('location', `/carts/${cart.id}`)
        .send({ ...cartView(cart), cartToken: token });
    },
  );

  app.get(
    '/carts/:cartId',
    {
      config: { public: true },
      schema: {
        summary: 'Get a cart',
        description:
          'Served from the live copy in Redis when present (`x-cart-source: redis`), otherwise from MariaDB, ' +
          'which refills Redis (`x-cart-source: mariadb`).',
        tags: ['carts'],
        security: [{ bearer: [] }, {}],
        params: CartIdParams,
        headers: CartTokenHeaders,
        response: { 200: Cart, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      const { cartId } = request.params;
      const live = await liveCarts.get(cartId);
      if (live) {
        assertCartAccess(request, live);
        return reply.header('x-cart-source', 'redis').send(cartView(live));
      }
      const cart = await carts.get(cartId);
      if (!cart) throw fail('CART_NOT_FOUND', `cart ${cartId} does not exist`);
      assertCartAccess(request, cart);
      await liveCarts.put(cart);
      return reply.header('x-cart-source', 'mariadb').send(cartView(cart));
    },
  );

  app.post(
    '/carts/:cartId/merge',
    {
      config: { public: true },
      schema: {
        summary: "Merge a guest cart into a customer's cart",
        description:
          'On login: the guest cart’s lines move into this cart; the same SKU adds up (capped at the ' +
          'per-line limit) and is priced again at checkout. The guest cart becomes `merged`. Repeating the ' +
          'same merge answers the cart again without moving anything twice. Publishes `cart.item.added.v1` ' +
          'for every SKU whose quantity grew.',
        tags: ['carts'],
        security: [{ bearer: [] }],
        params: CartIdParams,
        body: MergeBody,
        response: { 200: MergedCart, ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (request) => {
      const { cartId } = request.params;
      const { guestCartId, guestCartToken } = request.body;
      const target = await carts.get(cartId);
      if (!target) throw fail('CART_NOT_FOUND', `cart ${cartId} does not exist`);
      assertCartAccess(request, target);
      if (target.customerId === null) {
        throw fail('MERGE_NEEDS_CUSTOMER_CART', 'sign in and merge into your own cart');
      }
      const guest = await carts.get(guestCartId);
      if (!guest) throw fail('CART_NOT_FOUND', `cart ${guestCartId} does not exist`);
      if (!tokenMatches(guestCartToken, guest.guestTokenHash)) {
        throw new DomainError('FORBIDDEN', 'the guest cart token does not match');
      }
      const now = new Date();
      const outcome = await carts.update<MergeOutcome>([cartId, guestCartId], (locked) => {
        const into = locked.get(cartId)!;
        const from = locked.get(guestCartId)!;
        // A retried merge (the client lost the first answer) finds the work done.
        if (from.status === 'merged' && from.mergedInto === into.id) {
          return {
            save: [],
            events: [],
            result: { cart: into, moved: [] as string[], capped: [] as string[] },
          };
        }
        const merged = mergeCarts(into, from, now);
        const events: CartEvent[] = merged.added.map(({ line, quantityAdded }) => ({
          type: 'item-added',
          eventId: randomUUID(),
          cart: merged.cart,
          line,
          quantityAdded,
          occurredAt: now,
        }));
        return {
          save: [merged.cart, markMerged(from, into.id, now)],
          events,
          result: {
            cart: merged.cart,
            moved: merged.added.map((a) => a.line.sku),
            capped: merged.capped,
            guest: markMerged(from, into.id, now),
          },
        };
      });
      await liveCarts.put(outcome.cart);
      if (outcome.guest) await liveCarts.put(outcome.guest);
      return {
        ...cartView(outcome.cart),
        merge: { from: guestCartId, movedSkus: outcome.moved, cappedSkus: outcome.capped },
      };
    },
  );

  app.post(
    '/carts/:cartId/checkout',
    {
      config: { public: true },
      schema: {
        summary: 'Check a cart out, once',
        description:
          'Lines priced longer ago than the re-pricing age (or changed by a merge) are priced again and ' +
          'the difference is shown (`priceChanges`, `differenceMinor`). The cart checks out exactly once: ' +
          'any later or concurrent call answers the first result with `idempotent-replayed: true`. ' +
          'Publishes `cart.checkedout.v1`.',
        tags: ['carts'],
        security: [{ bearer: [] }],
        params: CartIdParams,
        response: { 200: Checkout, ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const { cartId } = request.params;
      const replay = (checkout: CheckoutResult) => reply.header('idempotent-replayed', 'true').send(checkout);
      for (let attempt = 1; attempt <= attempts; attempt++) {
        const cart = await carts.get(cartId);
        if (!cart) throw fail('CART_NOT_FOUND', `cart ${cartId} does not exist`);
        assertCartAccess(request, cart);
        if (cart.status === 'checked_out') {
          const done = await carts.getCheckout(cartId);
          if (done) return replay(done);
        }
        assertCheckoutable(cart);
        const now = new Date();
        const stale = linesToReprice(cart, now, options.repriceAfterSeconds);
        // Priced outside the transaction: no row stays locked while pricing answers (or does not).
        const snapshots: Map<string, PriceSnapshot> =
          stale.length === 0
            ? new Map()
            : await pricing.quote({
                region: cart.region,
                currency: cart.currency,
                customerId: cart.customerId,
                lines: stale.map((l) => ({ sku: l.sku, quantity: l.quantity })),
              });
        const outcome = await carts.update<CheckoutOutcome | undefined>([cartId], (locked, existing) => {
          const fresh = locked.get(cartId);
          if (!fresh) throw fail('CART_NOT_FOUND', `cart ${cartId} does not exist`);
          if (existing) return { save: [], events: [], result: { checkout: existing } };
          // Quotes are for the lines as they were read; a change since then means pricing again.
          if (fresh.version !== cart.version) return { save: [], events: [], result: undefined };
          const { cart: repriced, changes } = applyReprice(fresh, snapshots, now);
          const closed = markCheckedOut(repriced, now);
          const checkout = buildCheckout({
            checkoutId: randomUUID(),
            before: fresh,
            after: closed,
            repricedSkus: stale.map((l) => l.sku),
            priceChanges: changes,
            now,
          });
          const event: CartEvent = { type: 'checked-out', eventId: randomUUID(), checkout, occurredAt: now };
          return {
            save: [closed],
            events: [event],
            checkout,
            result: { checkout, replayed: false, cart: closed },
          };
        });
        if (!outcome) continue;
        if (!outcome.cart) return replay(outcome.checkout);
        await liveCarts.put(outcome.cart);
        return reply.send(outcome.checkout);
      }
      throw fail('CART_CHANGED', `cart ${cartId} kept changing during checkout; retry`);
    },
  );
};
