import { defineErrors, errorFactory } from '@shop/common';

/** Every error this service answers besides the kit's own; rendered into README.md. */
export const errors = defineErrors({
  NO_PRICE_BOOK: { status: 422, title: 'No price book can price this region and currency' },
  PRICE_BOOK_NOT_FOUND: { status: 404, title: 'No such price book' },
  PRICE_BOOK_EXISTS: { status: 409, title: 'The region already has a price book in this currency' },
  PRICE_BOOK_IS_DEFAULT: {
    status: 409,
    title: 'The default price book cannot be removed while its region has other books',
  },
  PRICE_NOT_FOUND: { status: 404, title: 'No such base price' },
  SKU_NOT_PRICED: { status: 422, title: 'A SKU has no base price in the price book' },
  RULE_NOT_FOUND: { status: 404, title: 'No such rule' },
  INVALID_RULE: { status: 400, title: 'The rule is not consistent' },
  INVALID_TIME_WINDOW: { status: 400, title: 'The time window is inverted or empty' },
  RULE_WINDOW_OVERLAP: {
    status: 400,
    title: 'An enabled rule with the same target and priority overlaps this time window',
  },
  DUPLICATE_SKU: { status: 400, title: 'A SKU appears on more than one line' },
  QUOTE_NOT_FOUND: { status: 404, title: 'No such quote' },
  QUOTE_TOO_LARGE: { status: 422, title: 'The quote leaves the range of exact amounts' },
  RATE_UNAVAILABLE: { status: 422, title: 'No exchange rate to convert the price book currency' },
  RATE_STALE: { status: 422, title: 'The newest exchange rate is older than allowed' },
  RATE_CONFLICT: { status: 409, title: 'A different rate is already stored for this currency and instant' },
  INVALID_CURSOR: { status: 400, title: 'The pagination cursor is not valid' },
});

export const fail = errorFactory(errors);
