import { kitConfigSchema } from '@shop/common';
import { z } from 'zod';

export const configSchema = kitConfigSchema.extend({
  PAYMENT_PORT: z.coerce.number().int().min(1).max(65535).default(3006),
  PAYMENT_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  PAYMENT_SCHEMA_REGISTRY_URL: z.url(),
  // Keyed hash for card tokens: a plain hash of a card number could be reversed by enumerating numbers.
  PAYMENT_CARD_TOKEN_SECRET: z.string().min(32),
  // How long the PSP keeps an authorisation before it lapses; capture after that is refused.
  PAYMENT_AUTHORIZATION_TTL_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(7 * 24 * 3600),
  // Upper bound of a PSP hold, so a typo cannot park a request (and its pool slot) for hours.
  PAYMENT_PSP_MAX_HOLD_SECONDS: z.coerce.number().int().positive().max(3600).default(600),
});

export type Config = z.infer<typeof configSchema>;
