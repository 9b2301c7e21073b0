import { defineErrors, errorFactory } from '@shop/common';

/** Every error this service answers besides the kit's own; rendered into README.md. */
export const errors = defineErrors({
  PRODUCT_NOT_FOUND: { status: 404, title: 'No such product' },
  MEDIA_NOT_FOUND: { status: 404, title: 'No such media item' },
  SKU_TAKEN: { status: 409, title: 'A product with this SKU already exists' },
  REVISION_CONFLICT: { status: 409, title: 'The product changed since the revision sent' },
  REVISION_REQUIRED: { status: 428, title: 'Send the revision being changed in If-Match' },
  MEDIA_LIMIT_REACHED: { status: 409, title: 'The product has as many media items as allowed' },
  MEDIA_TOO_LARGE: { status: 413, title: 'The upload is larger than allowed' },
  MEDIA_TYPE_NOT_ALLOWED: { status: 415, title: 'Only PNG, JPEG and WebP images are accepted' },
  MEDIA_FILE_MISSING: { status: 400, title: 'Send the image as a multipart part named `file`' },
  INVALID_CURSOR: { status: 400, title: 'The pagination cursor is not valid' },
});

export const fail = errorFactory(errors);
