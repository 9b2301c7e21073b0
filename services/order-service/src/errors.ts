import { defineErrors, errorFactory } from '@shop/common';

/** Every error this service answers besides the kit's own; rendered into README.md. */
export const errors = defineErrors({
  ORDER_NOT_FOUND: { status: 404, title: 'No such order' },
  ILLEGAL_TRANSITION: { status: 409, title: 'The order cannot move from its status to the one asked' },
  CART_ALREADY_ORDERED: { status: 409, title: 'An order for this cart exists with other terms' },
  SAGA_NOT_FOUND: { status: 404, title: 'The order has no checkout saga' },
  TOTAL_TOO_LARGE: { status: 422, title: 'The order total exceeds the largest amount allowed' },
  DUPLICATE_SKU: { status: 422, title: 'A SKU appears on more than one line' },
});

export const fail = errorFactory(errors);
