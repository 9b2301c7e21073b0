import { randomUUID } from 'node:crypto';
import { problemResponses, type RoutesPlugin } from '@shop/common';
import type { StoredCart } from '../db/cart-repository.js';
import {
  addLine,
  assertCurrency,
  assertOpen,
  changeQuantity,
  findLine,
  quantityAfterAdd,
  removeLine,
} from '../domain/cart.js';
import { fail } from '../errors.js';
import type { CartEvent } from '../events/cart-events.js';
import { assertCartAccess, cartView, identifyCaller } from './access.js';
import { AddLineBody, Cart, CartIdParams, CartTokenHeaders, LineParams, QuantityBody } from './schemas.js';

// A concurrent change to the same line between quoting and writing needs a new quote; this many tries.
const attempts = 3;

/** Lines: add (catalog check + pricing snapshot), change quantity (new snapshot), remove. */
export const itemRoutes: RoutesPlugin = async (app) => {
  const { carts, liveCarts, catalog, pricing } = app;
  app.addHook('onRequest', identifyCaller);

  async function current(
    request: Parameters<typeof assertCartAccess>[0],
    cartId: string,
  ): Promise<StoredCart> {
    const cart = await carts.get(cartId);
    if (!cart) throw fail('CART_NOT_FOUND', `cart ${cartId} does not exist`);
    assertCartAccess(request, cart);
    return cart;
  }

  app.post(
    '/carts/:cartId/items',
    {
      config: { public: true, idempotent: true },
      schema: {
        summary: 'Add a product to a cart',
        description:
          'Checks the SKU with catalog, takes a price snapshot from pricing for the line’s new quantity, and ' +
          'publishes `cart.item.added.v1`. Adding a SKU already in the cart adds to its quantity. Honours ' +
          'Idempotency-Key. Pricing or catalog unreachable: 503, nothing written.',
        tags: ['items'],
        security: [{ bearer: [] }, {}],
        params: CartIdParams,
        headers: CartTokenHeaders,
        body: AddLineBody,
        response: { 201: Cart, ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const { cartId } = request.params;
      const { sku, quantity, currency } = request.body;
      for (let attempt = 1; ; attempt++) {
        const cart = await current(request, cartId);
        assertOpen(cart);
        assertCurrency(cart, currency);
        // Checked before any remote call: a line that would exceed the limit costs nothing downstream.
        const quoted = quantityAfterAdd(cart, sku, quantity);
        const product = await catalog.forSale(sku, cart.region);
        const snapshots = await pricing.quote({
          region: cart.region,
          currency: cart.currency,
          customerId: cart.customerId,
          lines: [{ sku, quantity: quoted }],
        });
        const snapshot = snapshots.get(sku)!;
        const now = new Date();
        const saved = await carts.update([cartId], (locked) => {
          const fresh = locked.get(cartId);
          if (!fresh) throw fail('CART_NOT_FOUND', `cart ${cartId} does not exist`);
          // The quote covers `quoted` units; if the line changed meanwhile, quote again.
          if (quantityAfterAdd(fresh, sku, quantity) !== quoted)
            return { save: [], events: [], result: undefined };
          const { cart: next, line } = addLine(fresh, { sku, name: product.name, quantity, snapshot }, now);
          const event: CartEvent = {
            type: 'item-added',
            eventId: randomUUID(),
            cart: next,
            line,
            quantityAdded: quantity,
            occurredAt: now,
          };
          return { save: [next], events: [event], result: next };
        });
        if (!saved) {
          if (attempt < attempts) continue;
          throw fail('CART_CHANGED', `the line for ${sku} kept changing; retry`);
        }
        await liveCarts.put(saved);
        return reply.status(201).send(cartView(saved));
      }
    },
  );

  app.patch(
    '/carts/:cartId/items/:sku',
    {
      config: { public: true },
      schema: {
        summary: "Change a line's quantity",
        description:
          'Sets the quantity and takes a new price snapshot for it (tiered rules price the whole line). An ' +
          'increase publishes `cart.item.added.v1` for the added units. Use DELETE to remove a line.',
        tags: ['items'],
        security: [{ bearer: [] }, {}],
        params: LineParams,
        headers: CartTokenHeaders,
        body: QuantityBody,
        response: { 200: Cart, ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (request) => {
      const { cartId, sku } = request.params;
      const { quantity } = request.body;
      const cart = await current(request, cartId);
      assertOpen(cart);
      findLine(cart, sku);
      // An inactive product may be removed or kept, but not bought more of.
      await catalog.forSale(sku, cart.region);
      const snapshots = await pricing.quote({
        region: cart.region,
        currency: cart.currency,
        customerId: cart.customerId,
        lines: [{ sku, quantity }],
      });
      const snapshot = snapshots.get(sku)!;
      const now = new Date();
      const saved = await carts.update([cartId], (locked) => {
        const fresh = locked.get(cartId);
        if (!fresh) throw fail('CART_NOT_FOUND', `cart ${cartId} does not exist`);
        const before = findLine(fresh, sku).quantity;
        const next = changeQuantity(fresh, sku, quantity, snapshot, now);
        const line = findLine(next, sku);
        const events: CartEvent[] =
          quantity > before
            ? [
                {
                  type: 'item-added',
                  eventId: randomUUID(),
                  cart: next,
                  line,
                  quantityAdded: quantity - before,
                  occurredAt: now,
                },
              ]
            : [];
        return { save: [next], events, result: next };
      });
      await liveCarts.put(saved);
      return cartView(saved);
    },
  );

  app.delete(
    '/carts/:cartId/items/:sku',
    {
      config: { public: true },
      schema: {
        summary: 'Remove a line',
        tags: ['items'],
        security: [{ bearer: [] }, {}],
        params: LineParams,
        headers: CartTokenHeaders,
        response: { 200: Cart, ...problemResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => {
      const { cartId, sku } = request.params;
      await current(request, cartId);
      const saved = await carts.update([cartId], (locked) => {
        const fresh = locked.get(cartId);
        if (!fresh) throw fail('CART_NOT_FOUND', `cart ${cartId} does not exist`);
        const next = removeLine(fresh, sku, new Date());
        return { save: [next], events: [], result: next };
      });
      await liveCarts.put(saved);
      return cartView(saved);
    },
  );
};
