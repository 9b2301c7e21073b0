import { defineErrors, errorFactory } from '@shop/common';

/** Every error this service answers besides the kit's own; rendered into README.md. */
export const errors = defineErrors({
  CUSTOMER_NOT_FOUND: { status: 404, title: 'No such customer' },
  ADDRESS_NOT_FOUND: { status: 404, title: 'No such address' },
  EMAIL_TAKEN: { status: 409, title: 'A customer with this email already exists' },
  INVALID_CURSOR: { status: 400, title: 'The pagination cursor is not valid' },
  DEV_TOKENS_DISABLED: { status: 404, title: 'Development tokens are disabled' },
});

export const fail = errorFactory(errors);
