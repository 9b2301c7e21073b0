import { pgTransaction } from '@shop/common';
import type pg from 'pg';

export type IsolationLevel = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

/** The kit's transaction at an explicit isolation level: quotes read one REPEATABLE READ snapshot. */
export function transaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  isolation: IsolationLevel = 'READ COMMITTED',
): Promise<T> {
  return pgTransaction(pool, work, { isolation });
}

export function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e.code === '23505' && e.constraint === constraint;
}

/** A timestamptz column as ISO-8601, or null. */
export function iso(value: unknown): string | null {
  return value ? (value as Date).toISOString() : null;
}
