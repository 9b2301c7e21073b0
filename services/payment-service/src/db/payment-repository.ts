import { pgTransaction } from '@shop/common';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type pg from 'pg';
import type { ReducedCard } from '../domain/card.js';
import type { AccountCode, Entry } from '../domain/ledger.js';
import type { Payment } from '../domain/payment.js';
import * as domain from '../domain/payment.js';
import { fail } from '../errors.js';
import type { PaymentEvents } from '../events/payment-events.js';
import type { DeclineReason } from '../psp/mock-psp.js';

export interface NewPayment {
  orderId: string;
  customerId: string;
  region: string;
  currency: string;
  amountMinor: number;
  card: ReducedCard | null;
}

export interface JournalEntry {
  id: string;
  kind: string;
  currency: string;
  region: string;
  createdAt: string;
  lines: { account: AccountCode; amountMinor: number }[];
}

const columns = `id, order_id, customer_id, region, currency, amount_minor, captured_minor, refunded_minor, status,
  card_token, card_last4, card_brand, psp_reference, failure_reason, expires_at, created_at, updated_at`;

function toPayment(row: Record<string, unknown>): Payment {
  return {
    id: String(row.id),
    orderId: String(row.order_id),
    customerId: String(row.customer_id),
    region: String(row.region),
    currency: String(row.currency),
    amountMinor: Number(row.amount_minor),
    capturedMinor: Number(row.captured_minor),
    refundedMinor: Number(row.refunded_minor),
    status: row.status as Payment['status'],
    card: row.card_token
      ? {
          token: String(row.card_token),
          last4: (row.card_last4 as string | null) ?? null,
          brand: String(row.card_brand),
        }
      : null,
    pspReference: (row.psp_reference as string | null) ?? null,
    failureReason: (row.failure_reason as string | null) ?? null,
    expiresAt: row.expires_at ? (row.expires_at as Date).toISOString() : null,
    createdAt: (row.created_at as Date).toISOString(),
    updatedAt: (row.updated_at as Date).toISOString(),
  };
}

/** Writes one journal entry with its lines; the deferred trigger re-checks the balance at COMMIT. */
async function postEntry(client: pg.PoolClient, paymentId: string, region: string, entry: Entry) {
  const { rows } = await client.query(
    'INSERT INTO journal_entries (payment_id, kind, currency, region) VALUES ($1, $2, $3, $4) RETURNING id',
    [paymentId, entry.kind, entry.currency, region],
  );
  const entryId = String(rows[0]!.id);
  for (const line of entry.lines) {
    // Accounts are made on first use per (code, currency, region). DO NOTHING takes no lock on an existing
    // row, so concurrent payments never queue on a shared account; the second statement sees either insert.
    await client.query(
      'INSERT INTO accounts (code, currency, region) VALUES ($1, $2, $3) ON CONFLICT (code, currency, region) DO NOTHING',
      [line.account, entry.currency, region],
    );
    const account = await client.query(
      'SELECT id FROM accounts WHERE code = $1 AND currency = $2 AND region = $3',
      [line.account, entry.currency, region],
    );
    await client.query(
      'INSERT INTO journal_lines (entry_id, account_id, region, amount_minor) VALUES ($1, $2, $3, $4)',
      [entryId, account.rows[0]!.id, region, line.amountMinor],
    );
  }
  return entryId;
}

async function lockPayment(client: pg.PoolClient, id: string): Promise<Payment> {
  const { rows } = await client.query(`SELECT ${columns} FROM payments WHERE id = $1 FOR UPDATE`, [id]);
  if (!rows[0]) throw fail('PAYMENT_NOT_FOUND', `payment ${id} does not exist`);
  return toPayment(rows[0]);
}

async function applyChange(
  client: pg.PoolClient,
  payment: Payment,
  change: domain.Change,
  extra: { pspReference?: string; expiresAt?: Date } = {},
): Promise<Payment> {
  const { rows } = await client.query(
    `UPDATE payments SET status = $2, captured_minor = $3, refunded_minor = $4,
       psp_reference = COALESCE($5, psp_reference), expires_at = COALESCE($6, expires_at), updated_at = now()
     WHERE id = $1 RETURNING ${columns}`,
    [
      payment.id,
      change.status,
      change.capturedMinor,
      change.refundedMinor,
      extra.pspReference ?? null,
      extra.expiresAt ?? null,
    ],
  );
  await postEntry(client, payment.id, payment.region, change.entry);
  return toPayment(rows[0]!);
}

export interface PaymentRepositoryOptions {
  events: PaymentEvents;
  /** A `pending` payment older than this was abandoned by a crashed process: the PSP never answers it. */
  pendingStaleSeconds: number;
}

export function createPaymentRepository(pool: pg.Pool, options: PaymentRepositoryOptions) {
  const { events } = options;
  return {
    /**
     * Starts an authorisation: a `pending` payment, unique per order among live payments. When the order
     * already has one, that payment is returned (`created: false`) so a repeated call never charges twice.
     */
    async begin(input: NewPayment): Promise<{ payment: Payment; created: boolean }> {
      const inserted = await pool.query(
        `INSERT INTO payments (order_id, customer_id, region, currency, amount_minor, status, card_token, card_last4, card_brand)
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8)
         ON CONFLICT (order_id) WHERE status <> 'failed' DO NOTHING RETURNING ${columns}`,
        [
          input.orderId,
          input.customerId,
          input.region,
          input.currency,
          input.amountMinor,
          input.card?.token ?? null,
          input.card?.last4 ?? null,
          input.card?.brand ?? null,
        ],
      );
      if (inserted.rows[0]) return { payment: toPayment(inserted.rows[0]), created: true };
      const { rows } = await pool.query(
        `SELECT ${columns} FROM payments WHERE order_id = $1 AND status <> 'failed'`,
        [input.orderId],
      );
      // The live payment was declined or abandoned between the two statements: try again.
      if (!rows[0]) return this.begin(input);
      const existing = toPayment(rows[0]);
      if (
        existing.amountMinor !== input.amountMinor ||
        existing.currency !== input.currency ||
        existing.customerId !== input.customerId
      ) {
        throw fail('PAYMENT_KEY_CONFLICT', `order ${input.orderId} already has payment ${existing.id}`, {
          paymentId: existing.id,
        });
      }
      if (existing.status === 'pending' && (await this.failIfStale(existing.id))) return this.begin(input);
      if (existing.status === 'pending') {
        throw fail('PAYMENT_IN_PROGRESS', `payment ${existing.id} is waiting for the PSP; retry shortly`, {
          paymentId: existing.id,
        });
      }
      return { payment: existing, created: false };
    },

    /** The PSP approved: authorised, held in the ledger and announced, in one transaction. */
    async authorized(id: string, pspReference: string, expiresAt: Date): Promise<Payment> {
      return pgTransaction(pool, async (client) => {
        const current = await lockPayment(client, id);
        const payment = await applyChange(client, current, domain.authorize(current), {
          pspReference,
          expiresAt,
        });
        await events.authorized(client, payment);
        return payment;
      });
    },

    /** The PSP declined: the attempt is kept as `failed` (no ledger entry, no money moved) and announced. */
    async declined(id: string, reason: DeclineReason, detail: string): Promise<Payment> {
      return pgTransaction(pool, async (client) => {
        const current = await lockPayment(client, id);
        domain.assertTransition(current, 'decline');
        const { rows } = await client.query(
          `UPDATE payments SET status = 'failed', failure_reason = $2, failure_detail = $3, updated_at = now()
           WHERE id = $1 RETURNING ${columns}`,
          [id, reason, detail],
        );
        const payment = toPayment(rows[0]!);
        await events.failed(client, payment, reason, detail, false);
        return payment;
      });
    },

    /**
     * Fails a pending payment nobody is waiting for any more (its process died while the PSP held it), so the
     * order can be paid again; announced as a retryable psp_timeout. False when it is not (yet) stale.
     */
    async failIfStale(id: string): Promise<boolean> {
      return pgTransaction(pool, async (client) => {
        const { rows } = await client.query(
          `UPDATE payments SET status = 'failed', failure_reason = 'psp_timeout',
             failure_detail = 'abandoned while waiting for the PSP', updated_at = now()
           WHERE id = $1 AND status = 'pending' AND updated_at < now() - make_interval(secs => $2)
           RETURNING ${columns}`,
          [id, options.pendingStaleSeconds],
        );
        if (!rows[0]) return false;
        const payment = toPayment(rows[0]);
        await events.failed(client, payment, 'psp_timeout', 'abandoned while waiting for the PSP', true);
        return true;
      });
    },

    /**
     * After a restart: the mock PSP's holds live in the process's memory, so a `pending` payment last touched
     * before this process started has nobody left to answer it. Each is failed as a retryable psp_timeout
     * (with its event), and the Idempotency-Keys its request left pending are released, so the caller's retry
     * (the saga's authorize, or its void compensation) is neither refused as in progress nor kept waiting.
     * Assumes one payment-service process per database, as the stack and Compose run it. Answers how many
     * payments were failed.
     */
    async recoverAbandoned(startedAt: Date): Promise<number> {
      const { rows } = await pool.query<{ id: string }>(
        `SELECT id FROM payments WHERE status = 'pending' AND updated_at < $1`,
        [startedAt],
      );
      let failed = 0;
      for (const { id } of rows) {
        const done = await pgTransaction(pool, async (client) => {
          const updated = await client.query(
            `UPDATE payments SET status = 'failed', failure_reason = 'psp_timeout',
               failure_detail = 'abandoned: payment-service restarted while the PSP held it', updated_at = now()
             WHERE id = $1 AND status = 'pending' AND updated_at < $2
             RETURNING ${columns}`,
            [id, startedAt],
          );
          if (!updated.rows[0]) return false;
          const payment = toPayment(updated.rows[0]);
          await events.failed(client, payment, 'psp_timeout', 'abandoned while waiting for the PSP', true);
          return true;
        });
        if (done) failed++;
      }
      await pool.query(`DELETE FROM idempotency_keys WHERE state = 'pending' AND created_at < $1`, [
        startedAt,
      ]);
      return failed;
    },

    /** Forgets a pending attempt whose PSP call failed transiently, so nothing half-done remains. */
    async abandon(id: string): Promise<void> {
      await pool.query(`DELETE FROM payments WHERE id = $1 AND status = 'pending'`, [id]);
    },

    async capture(id: string, amountMinor: number | undefined, pspReference: string): Promise<Payment> {
      return pgTransaction(pool, async (client) => {
        const current = await lockPayment(client, id);
        const change = domain.capture(current, new Date(), amountMinor ?? current.amountMinor);
        const payment = await applyChange(client, current, change);
        await events.captured(client, payment, change.amountMinor, pspReference);
        return payment;
      });
    },

    async void(id: string, reason: string | null): Promise<Payment> {
      return pgTransaction(pool, async (client) => {
        const current = await lockPayment(client, id);
        const payment = await applyChange(client, current, domain.voidPayment(current));
        await events.voided(client, payment, reason);
        return payment;
      });
    },

    /** Refunds part or all of what remains; the row lock serialises concurrent refunds of one payment. */
    async refund(
      id: string,
      amountMinor: number | undefined,
      reason: string | null,
    ): Promise<{ payment: Payment; refund: { id: string; amountMinor: number; reason: string | null } }> {
      return pgTransaction(pool, async (client) => {
        const current = await lockPayment(client, id);
        const change = domain.refund(current, amountMinor ?? domain.remainingRefundable(current));
        const payment = await applyChange(client, current, change);
        const { rows } = await client.query(
          'INSERT INTO refunds (payment_id, region, amount_minor, reason) VALUES ($1, $2, $3, $4) RETURNING id',
          [id, payment.region, change.amountMinor, reason],
        );
        const refundId = String(rows[0]!.id);
        await events.refunded(client, payment, refundId, change.amountMinor, reason);
        return { payment, refund: { id: refundId, amountMinor: change.amountMinor, reason } };
      });
    },

    async get(id: string): Promise<Payment | undefined> {
      const { rows } = await pool.query(`SELECT ${columns} FROM payments WHERE id = $1`, [id]);
      return rows[0] ? toPayment(rows[0]) : undefined;
    },

    async listByOrder(orderId: string): Promise<Payment[]> {
      const { rows } = await pool.query(
        `SELECT ${columns} FROM payments WHERE order_id = $1 ORDER BY created_at, id`,
        [orderId],
      );
      return rows.map(toPayment);
    },

    async journal(paymentId: string): Promise<JournalEntry[]> {
      const { rows } = await pool.query(
        `SELECT e.id, e.kind, e.currency, e.region, e.created_at, a.code, l.amount_minor
           FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id JOIN accounts a ON a.id = l.account_id
          WHERE e.payment_id = $1 ORDER BY e.created_at, e.id, l.id`,
        [paymentId],
      );
      const entries = new Map<string, JournalEntry>();
      for (const r of rows) {
        const id = String(r.id);
        let e = entries.get(id);
        if (!e) {
          e = {
            id,
            kind: String(r.kind),
            currency: String(r.currency),
            region: String(r.region),
            createdAt: (r.created_at as Date).toISOString(),
            lines: [],
          };
          entries.set(id, e);
        }
        e.lines.push({ account: r.code as AccountCode, amountMinor: Number(r.amount_minor) });
      }
      return [...entries.values()];
    },

    /** Net of every journal line per currency; anything but zero means the ledger is broken. */
    async imbalance(): Promise<{ currency: string; imbalanceMinor: number }[]> {
      const { rows } = await pool.query(
        `SELECT a.currency, coalesce(sum(l.amount_minor), 0) AS total
           FROM accounts a LEFT JOIN journal_lines l ON l.account_id = a.id GROUP BY a.currency ORDER BY a.currency`,
      );
      return rows.map((r) => ({ currency: String(r.currency), imbalanceMinor: Number(r.total) }));
    },

    /** Balance per account (code, currency, region). */
    async balances(filter: { currency?: string; region?: string }) {
      const { rows } = await pool.query(
        `SELECT a.code, a.currency, a.region, coalesce(sum(l.amount_minor), 0) AS balance
           FROM accounts a LEFT JOIN journal_lines l ON l.account_id = a.id
          WHERE ($1::text IS NULL OR a.currency = $1) AND ($2::text IS NULL OR a.region = $2)
          GROUP BY a.code, a.currency, a.region ORDER BY a.currency, a.region, a.code`,
        [filter.currency ?? null, filter.region ?? null],
      );
      return rows.map((r) => ({
        account: r.code as AccountCode,
        currency: String(r.currency),
        region: String(r.region),
        balanceMinor: Number(r.balance),
      }));
    },
  };
}

export type PaymentRepository = ReturnType<typeof createPaymentRepository>;

declare module 'fastify' {
  interface FastifyInstance {
    payments: PaymentRepository;
  }
}

export const paymentRepositoryPlugin = fp(
  async (app: FastifyInstance, options: PaymentRepositoryOptions) => {
    app.decorate('payments', createPaymentRepository(app.pg, options));
  },
  { name: 'payment-repository', dependencies: ['kit-postgres'] },
);
