import { kitConfigSchema } from '@shop/common';
import { z } from 'zod';

export const configSchema = kitConfigSchema.extend({
  PRICING_PORT: z.coerce.number().int().min(1).max(65535).default(3003),
  PRICING_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  /** How long a quote stays valid for carts to reference; it stays readable afterwards. */
  PRICING_QUOTE_TTL_SECONDS: z.coerce.number().int().positive().default(1800),
  /** A conversion whose oldest rate is older than this is refused (0: any age is accepted). */
  PRICING_RATE_MAX_AGE_HOURS: z.coerce.number().int().min(0).default(0),
  SCHEMA_REGISTRY_URL: z.url({ protocol: /^https?$/ }),
});

export type Config = z.infer<typeof configSchema>;
