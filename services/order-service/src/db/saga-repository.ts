import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type mysql from 'mysql2/promise';
import type { SagaMode, SagaState } from '../domain/checkout-saga.js';

export interface SagaRecord {
  orderId: string;
  region: string;
  mode: SagaMode;
  phase: SagaState['phase'];
  currentStep: string | null;
  nextRunAt: string;
  state: SagaState;
}

interface SagaRow extends mysql.RowDataPacket {
  order_id: string;
  region: string;
  mode: SagaMode;
  phase: SagaState['phase'];
  current_step: string | null;
  next_run_at: Date;
  state: string;
}

function toRecord(row: SagaRow): SagaRecord {
  return {
    orderId: row.order_id,
    region: row.region,
    mode: row.mode,
    phase: row.phase,
    currentStep: row.current_step,
    nextRunAt: row.next_run_at.toISOString(),
    state: JSON.parse(row.state) as SagaState,
  };
}

export interface SagaRepository {
  get(orderId: string): Promise<SagaRecord | null>;
  /**
   * Leases up to `limit` due sagas to `owner` for `leaseMs`. SKIP LOCKED lets several runners claim
   * disjoint sagas at once; the lease (not the row lock) covers the slow calls that follow, and a crashed
   * runner's lease simply runs out.
   */
  claimDue(owner: string, limit: number, leaseMs: number): Promise<SagaRecord[]>;
  /** Saves a new state while `owner` still holds the lease; false when the lease was lost. */
  saveIn(
    conn: mysql.PoolConnection,
    owner: string,
    record: Pick<SagaRecord, 'orderId' | 'phase' | 'currentStep' | 'state'>,
    delayMs: number | null,
  ): Promise<boolean>;
  release(orderId: string, owner: string): Promise<void>;
  /** Extends `owner`'s leases on these sagas, while it is still working on them. */
  renew(orderIds: string[], owner: string, leaseMs: number): Promise<void>;
}

export function createSagaRepository(pool: mysql.Pool): SagaRepository {
  return {
    async get(orderId) {
      const [rows] = await pool.query<SagaRow[]>('SELECT * FROM checkout_sagas WHERE order_id = ?', [
        orderId,
      ]);
      return rows[0] ? toRecord(rows[0]) : null;
    },

    async claimDue(owner, limit, leaseMs) {
      const conn = await pool.getConnection();
      try {
        await conn.beginTransaction();
        const [due] = await conn.query<SagaRow[]>(
          `SELECT order_id FROM checkout_sagas
           WHERE phase IN ('forward', 'compensating') AND next_run_at <= NOW(6)
             AND (lease_until IS NULL OR lease_until < NOW(6))
           ORDER BY next_run_at LIMIT ? FOR UPDATE SKIP LOCKED`,
          [limit],
        );
        if (due.length === 0) {
          await conn.commit();
          return [];
        }
        const ids = due.map((r) => r.order_id);
        await conn.query(
          `UPDATE checkout_sagas SET lease_owner = ?, lease_until = NOW(6) + INTERVAL ? MICROSECOND
           WHERE order_id IN (?)`,
          [owner, leaseMs * 1000, ids],
        );
        const [rows] = await conn.query<SagaRow[]>('SELECT * FROM checkout_sagas WHERE order_id IN (?)', [
          ids,
        ]);
        await conn.commit();
        return rows.map(toRecord);
      } catch (err) {
        await conn.rollback().catch(() => undefined);
        throw err;
      } finally {
        conn.release();
      }
    },

    async saveIn(conn, owner, record, delayMs) {
      const [result] = await conn.query<mysql.ResultSetHeader>(
        `UPDATE checkout_sagas SET phase = ?, current_step = ?, state = ?, updated_at = CURRENT_TIMESTAMP(6),
           next_run_at = NOW(6) + INTERVAL ? MICROSECOND
         WHERE order_id = ? AND lease_owner = ? AND lease_until > NOW(6)`,
        [
          record.phase,
          record.currentStep,
          JSON.stringify(record.state),
          (delayMs ?? 0) * 1000,
          record.orderId,
          owner,
        ],
      );
      return result.affectedRows === 1;
    },

    async renew(orderIds, owner, leaseMs) {
      if (orderIds.length === 0) return;
      await pool.query(
        `UPDATE checkout_sagas SET lease_until = NOW(6) + INTERVAL ? MICROSECOND
         WHERE lease_owner = ? AND order_id IN (?)`,
        [leaseMs * 1000, owner, orderIds],
      );
    },

    async release(orderId, owner) {
      await pool.query(
        'UPDATE checkout_sagas SET lease_owner = NULL, lease_until = NULL WHERE order_id = ? AND lease_owner = ?',
        [orderId, owner],
      );
    },
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    sagas: SagaRepository;
  }
}

/** `app.sagas`. */
export const sagaRepositoryPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorate('sagas', createSagaRepository(app.mysql));
  },
  { name: 'saga-repository', dependencies: ['kit-mysql'] },
);
