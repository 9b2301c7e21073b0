import { kitConfigSchema } from '@shop/common';
import { z } from 'zod';

export const configSchema = kitConfigSchema.extend({
  CART_PORT: z.coerce.number().int().min(1).max(65535).default(3004),
  CART_DATABASE_URL: z.url({ protocol: /^(mysql|mariadb)$/ }),
  CART_REDIS_URL: z.url({ protocol: /^rediss?$/ }),
  /** How long an untouched live cart stays in Redis; MariaDB keeps it regardless. */
  CART_LIVE_TTL_SECONDS: z.coerce.number().int().positive().default(86_400),
  /** A line priced longer ago than this is priced again at checkout. */
  CART_REPRICE_AFTER_SECONDS: z.coerce.number().int().positive().default(900),
  CART_PRICING_URL: z.url({ protocol: /^https?$/ }),
  CART_CATALOG_URL: z.url({ protocol: /^https?$/ }),
  /** How long a product found in catalog is reused (0 asks catalog for every line). */
  CART_CATALOG_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(10),
  /** Bound on one attempt of a call to pricing or catalog. */
  CART_DEPENDENCY_TIMEOUT_MS: z.coerce.number().int().positive().default(800),
  /** Attempts in all (first included) of an idempotent call to pricing or catalog. */
  CART_DEPENDENCY_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  /** Consecutive failures that open a dependency's circuit. */
  CART_BREAKER_FAILURES: z.coerce.number().int().positive().default(5),
  /** How long an open circuit waits before letting one trial call through. */
  CART_BREAKER_HALF_OPEN_MS: z.coerce.number().int().positive().default(5000),
  SCHEMA_REGISTRY_URL: z.url({ protocol: /^https?$/ }),
});

export type Config = z.infer<typeof configSchema>;
