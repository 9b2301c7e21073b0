import { defineErrors, errorFactory } from '@shop/common';

/** Every error this service answers besides the kit's own; rendered into README.md. */
export const errors = defineErrors({
  SKU_NOT_FOUND: { status: 404, title: 'No stock is kept for this SKU' },
  RESERVATION_NOT_FOUND: { status: 404, title: 'No such reservation' },
  INSUFFICIENT_STOCK: { status: 409, title: 'Not enough stock available in the region' },
  RESERVATION_EXPIRED: { status: 409, title: 'The reservation expired before it was committed' },
  RESERVATION_NOT_ACTIVE: { status: 409, title: 'The reservation is no longer reserved' },
  RESERVATION_MISMATCH: {
    status: 409,
    title: 'A reservation for this order and SKU exists with other terms',
  },
  RESERVATION_IN_PROGRESS: { status: 409, title: 'The same reservation is being made right now' },
  WAREHOUSE_REGION_MISMATCH: { status: 409, title: 'The warehouse lies in another region' },
  STOCK_CONTENDED: { status: 503, title: 'Stock is too contended right now; retry' },
});

export const fail = errorFactory(errors);
