import { defineErrors, errorFactory } from '@shop/common';

/** Every error this service answers besides the kit's own; rendered into README.md. */
export const errors = defineErrors({
  CART_NOT_FOUND: { status: 404, title: 'No such cart' },
  LINE_NOT_FOUND: { status: 404, title: 'The cart has no line for this SKU' },
  CART_NOT_OPEN: { status: 409, title: 'The cart was checked out or merged and cannot change' },
  CURRENCY_MISMATCH: { status: 409, title: "The currency does not match the cart's currency" },
  REGION_MISMATCH: { status: 409, title: "The region does not match the cart's region" },
  CART_CHANGED: { status: 409, title: 'The cart changed while it was being checked out; retry' },
  UNKNOWN_SKU: { status: 422, title: 'No product has this SKU' },
  PRODUCT_INACTIVE: { status: 422, title: 'The product is not for sale' },
  PRODUCT_NOT_IN_REGION: { status: 422, title: "The product is not sold in the cart's region" },
  PRICE_UNAVAILABLE: { status: 422, title: 'The product has no price in this region and currency' },
  QUANTITY_LIMIT: { status: 422, title: 'The line would exceed the largest quantity allowed' },
  CART_LINE_LIMIT: { status: 422, title: 'The cart has the largest number of lines allowed' },
  CART_EMPTY: { status: 422, title: 'An empty cart cannot be checked out' },
  CHECKOUT_NEEDS_CUSTOMER: { status: 422, title: 'A guest cart must be merged into a customer cart first' },
  NOT_A_GUEST_CART: { status: 422, title: 'Only a guest cart can be merged into another cart' },
  MERGE_NEEDS_CUSTOMER_CART: { status: 422, title: "A guest cart can only be merged into a customer's cart" },
});

export const fail = errorFactory(errors);
