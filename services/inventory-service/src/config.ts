import { kitConfigSchema } from '@shop/common';
import { z } from 'zod';

const flag = z
  .enum(['0', '1'])
  .default('0')
  .transform((v) => v === '1');

export const configSchema = kitConfigSchema.extend({
  INVENTORY_PORT: z.coerce.number().int().min(1).max(65535).default(3007),
  /** host:port pairs, comma-separated. */
  INVENTORY_CASSANDRA_CONTACT_POINTS: z.string().min(1).default('127.0.0.1:19042'),
  INVENTORY_CASSANDRA_LOCAL_DC: z.string().min(1).default('datacenter1'),
  INVENTORY_CASSANDRA_KEYSPACE: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,47}$/, 'a lower-case CQL identifier')
    .default('inventory'),
  INVENTORY_KAFKA_BROKERS: z.string().min(1).default('127.0.0.1:19092'),
  INVENTORY_SCHEMA_REGISTRY_URL: z.url().default('http://127.0.0.1:18081/apis/ccompat/v7'),
  /** Default reservation lifetime; a request may ask for another (scenarios use seconds). */
  INVENTORY_RESERVATION_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  /** fixed: commit refuses a reservation that is no longer alive; broken: the original incident. */
  INVENTORY_COMMIT_MODE: z.enum(['fixed', 'broken']).default('fixed'),
  /** 1 runs the outbox relay and the expiry sweeper in this process (one instance is enough). */
  INVENTORY_WORKERS: flag,
  INVENTORY_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
});

export type Config = z.infer<typeof configSchema>;
