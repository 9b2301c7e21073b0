import { kitConfigSchema } from '@shop/common';
import { z } from 'zod';

const flag = z
  .enum(['0', '1'])
  .default('0')
  .transform((v) => v === '1');

export const configSchema = kitConfigSchema.extend({
  ORDER_PORT: z.coerce.number().int().min(1).max(65535).default(3005),
  ORDER_DATABASE_URL: z.url({ protocol: /^(mysql|mariadb)$/ }),
  SCHEMA_REGISTRY_URL: z.url({ protocol: /^https?$/ }),
  ORDER_KAFKA_BROKERS: z.string().min(1).default('127.0.0.1:19092'),
  /** 1 consumes `cart.checkedout.v1` in this process and creates orders from it. */
  ORDER_CONSUMERS: flag,
  /** 1 runs the checkout saga runner in this process; several instances share the work through leases. */
  ORDER_SAGA_RUNNER: flag,
  /** broken: the commit step ignores whether the reservation is alive (the oversell incident); fixed: it checks. */
  SAGA_MODE: z.enum(['broken', 'fixed']).default('fixed'),
  ORDER_INVENTORY_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:3007'),
  ORDER_PAYMENT_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:3006'),
  /** How long a reservation made by the saga lives unless committed. */
  ORDER_RESERVATION_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  /** How often the runner looks for due sagas. */
  ORDER_SAGA_POLL_MS: z.coerce.number().int().min(20).max(60_000).default(250),
  /** Sagas one runner works on at the same time. */
  ORDER_SAGA_BATCH: z.coerce.number().int().min(1).max(200).default(20),
  /** A saga claim's lifetime without renewal: how soon another runner resumes the sagas of a crashed one. */
  ORDER_SAGA_LEASE_MS: z.coerce.number().int().min(1000).max(600_000).default(15_000),
  /** Bound on one call to inventory or payment; authorization gets its own, as the PSP may hold it. */
  ORDER_DEPENDENCY_TIMEOUT_MS: z.coerce.number().int().positive().default(3000),
  ORDER_AUTHORIZE_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
});

export type Config = z.infer<typeof configSchema>;
