import { kitConfigSchema } from '@shop/common';
import { z } from 'zod';

export const configSchema = kitConfigSchema.extend({
  CUSTOMER_PORT: z.coerce.number().int().min(1).max(65535).default(3001),
  CUSTOMER_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  CUSTOMER_REDIS_URL: z.url({ protocol: /^rediss?$/ }),
  CUSTOMER_CACHE_TTL_SECONDS: z.coerce.number().int().positive().default(300),
  SCHEMA_REGISTRY_URL: z.url(),
  CUSTOMER_DEV_TOKENS: z
    .enum(['0', '1'])
    .default('0')
    .transform((v) => v === '1'),
});

export type Config = z.infer<typeof configSchema>;
