// Stock and reservations in Cassandra. Every change of a stock row or of a reservation's status is a
// lightweight transaction (Paxos): stock rows on `version`, reservations on `status`. The outbox row of an
// event is written after the transaction that made the change (an LWT cannot share a LOGGED batch with a
// row of another partition), in a LOGGED batch with the reservation's `emitted` marker; the sweeper
// re-emits any status whose marker lags behind. README "Consistency" and decision 100 explain the choice.
import { DomainError } from '@shop/common';
import type cassandra from 'cassandra-driver';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import {
  type AdjustmentReason,
  adjust,
  type CommitMode,
  decideCommit,
  derivedId,
  emittingStatuses,
  planReserve,
  type ReleaseReason,
  type ReservationStatus,
  reservationIdFor,
  type StockLevels,
  sellHeld,
  sellUnheld,
  settlementOf,
  unhold,
  type WarehouseStock,
} from '../domain/inventory.js';
import { fail } from '../errors.js';
import type { EventEncoder } from '../events/event-encoder.js';
import {
  globalUpdateInsert,
  type RegionFigure,
  type ReservationRecord,
  reservationEventInsert,
  stockAdjustedInsert,
} from '../events/inventory-events.js';
import type { InventoryMetrics } from '../inventory-metrics.js';
import { cql } from './cassandra.js';
import { RESERVATION_RETENTION_SECONDS as RETENTION } from './schema.js';

export interface ReserveInput {
  orderId: string;
  sku: string;
  region: string;
  quantity: number;
  ttlSeconds: number;
  reservationId?: string;
}

export interface AdjustInput {
  sku: string;
  warehouseId: string;
  region: string;
  delta: number;
  reason: AdjustmentReason;
}

/** Conditional writes that lose to a concurrent writer are retried this often before answering 503. */
const MAX_ATTEMPTS = 200;
/** A pending reservation untouched this long belongs to a request that died; it may be taken over. */
const STALE_PENDING_MS = 15_000;
/** An event whose marker lags this long after the status change is re-emitted by the sweeper. */
const EMIT_GRACE_MS = 5_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Jittered, growing pause between lost conditional writes, so contenders spread out instead of colliding. */
const backoff = (attempt: number) => sleep(Math.random() * Math.min(5 + attempt * 3, 60));

function toStock(row: cassandra.types.Row): WarehouseStock & { settled: Record<string, string> } {
  return {
    warehouseId: row.get('warehouse_id'),
    region: row.get('region'),
    available: row.get('available') ?? 0,
    reserved: row.get('reserved') ?? 0,
    sold: row.get('sold') ?? 0,
    oversold: row.get('oversold') ?? 0,
    received: row.get('received') ?? 0,
    holds: row.get('holds') ?? {},
    settled: row.get('settled') ?? {},
    version: row.get('version') ?? 0,
  };
}

function toReservation(row: cassandra.types.Row): ReservationRecord {
  return {
    id: row.get('id'),
    orderId: row.get('order_id'),
    sku: row.get('sku'),
    region: row.get('region'),
    warehouseId: row.get('warehouse_id') ?? null,
    quantity: row.get('quantity'),
    status: row.get('status'),
    expiresAt: row.get('expires_at'),
    createdAt: row.get('created_at'),
    updatedAt: row.get('updated_at'),
    afterExpiry: row.get('after_expiry') ?? false,
    releaseReason: row.get('release_reason') ?? null,
    emitted: row.get('emitted') ?? null,
  };
}

const stockColumns =
  'sku, warehouse_id, region, available, reserved, sold, oversold, received, holds, settled, version, updated_at';
const reservationColumns =
  'id, order_id, sku, region, warehouse_id, quantity, status, expires_at, created_at, updated_at, after_expiry, release_reason, emitted';

type HoldChange = { add: [string, number] } | { settle: [string, 'sold' | 'returned'] } | undefined;

export function inventoryRepository(
  client: cassandra.Client,
  encoder: EventEncoder,
  metrics: InventoryMetrics,
) {
  async function listStock(sku: string) {
    const rs = await client.execute(`SELECT ${stockColumns} FROM stock WHERE sku = ?`, [sku]);
    return rs.rows.map(toStock);
  }

  /**
   * Writes `next` levels if the row is still at `row.version`. Settling a reservation removes its hold and
   * records it in `settled` in the same conditional batch (one partition), so it happens at most once.
   */
  async function writeStock(
    sku: string,
    row: WarehouseStock,
    next: StockLevels,
    change: HoldChange,
  ): Promise<boolean> {
    const set = `UPDATE stock SET available = ?, reserved = ?, sold = ?, oversold = ?, received = ?, version = ?, updated_at = ?`;
    const levels = [
      next.available,
      next.reserved,
      next.sold,
      next.oversold,
      next.received,
      row.version + 1,
      new Date(),
    ];
    const where = 'WHERE sku = ? AND warehouse_id = ?';
    try {
      if (change && 'settle' in change) {
        const [id, how] = change.settle;
        const rs = await client.batch(
          [
            {
              query: `${set}, holds = holds - ? ${where} IF version = ?`,
              params: [...levels, [id], sku, row.warehouseId, row.version],
            },
            // The marker expires with the reservation rows; the counts above must not, hence two statements.
            {
              query: `UPDATE stock USING TTL ? SET settled = settled + ? ${where}`,
              params: [RETENTION, { [id]: how }, sku, row.warehouseId],
            },
          ],
          { prepare: true },
        );
        return rs.wasApplied();
      }
      const holds = change ? ', holds = holds + ?' : '';
      const rs = await client.execute(`${set}${holds} ${where} IF version = ?`, [
        ...levels,
        ...(change ? [{ [change.add[0]]: change.add[1] }] : []),
        sku,
        row.warehouseId,
        row.version,
      ]);
      return rs.wasApplied();
    } catch (err) {
      // A Paxos write timeout leaves the outcome unknown; the caller re-reads, and holds/settled tell it.
      if ((err as { code?: number }).code === 0x1100) return false;
      throw err;
    }
  }

  async function getReservation(id: string): Promise<ReservationRecord | undefined> {
    const row = (
      await client.execute(`SELECT ${reservationColumns} FROM reservations WHERE id = ?`, [id])
    ).first();
    return row ? toReservation(row) : undefined;
  }

  /** A status change conditional on the current status; `extra` are more columns to set with it. */
  async function transition(
    id: string,
    from: ReservationStatus,
    to: ReservationStatus,
    extra: Record<string, unknown> = {},
    condition = '',
    conditionParams: unknown[] = [],
  ): Promise<boolean> {
    const columns = Object.keys(extra);
    const rs = await client.execute(
      `UPDATE reservations USING TTL ? SET status = ?, updated_at = ?${columns.map((c) => `, ${c} = ?`).join('')}
       WHERE id = ? IF status = ?${condition}`,
      [RETENTION, to, new Date(), ...Object.values(extra), id, from, ...conditionParams],
    );
    return rs.wasApplied();
  }

  /** Writes the event of the reservation's current status to the outbox, with the marker that says so. */
  async function emit(r: ReservationRecord): Promise<void> {
    if (!emittingStatuses.has(r.status) || r.emitted === r.status) return;
    const insert = await reservationEventInsert(encoder, r);
    if (!insert) return;
    await client.batch(
      [
        insert,
        {
          query: 'UPDATE reservations USING TTL ? SET emitted = ? WHERE id = ?',
          params: [RETENTION, r.status, r.id],
        },
      ],
      { prepare: true, logged: true },
    );
  }

  /** Feeds a settlement's oversold units to the metric, from the same figure the row was written with. */
  function counted(r: ReservationRecord, oversold: number): number {
    if (oversold > 0) metrics.oversold.inc({ region: r.region }, oversold);
    return oversold;
  }

  /**
   * Makes the stock agree with the reservation's status, once: a committed reservation's units are sold
   * (from its hold, or — when the hold was already given back — from available, which is the oversell),
   * a released/expired/rejected one's hold goes back to available. Returns the units oversold: sold beyond
   * what the row ever received (see `deficit`).
   */
  async function settle(r: ReservationRecord): Promise<number> {
    const action = settlementOf(r.status);
    if (action === 'keep') return 0;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const rows = await listStock(r.sku);
      const holding = rows.find((row) => row.holds[r.id] !== undefined);
      if (holding) {
        const units = holding.holds[r.id] ?? r.quantity;
        const { levels, oversold } =
          action === 'sell' ? sellHeld(holding, units) : { levels: unhold(holding, units), oversold: 0 };
        if (
          await writeStock(r.sku, holding, levels, {
            settle: [r.id, action === 'sell' ? 'sold' : 'returned'],
          })
        )
          return counted(r, oversold);
      } else {
        if (action === 'return') return 0; // nothing held here any more: already given back
        const row = rows.find((x) => x.warehouseId === r.warehouseId);
        if (!row || row.settled[r.id] === 'sold') return 0;
        const { levels, oversold } = sellUnheld(row, r.quantity);
        if (await writeStock(r.sku, row, levels, { settle: [r.id, 'sold'] })) return counted(r, oversold);
      }
      metrics.conflicts.inc();
      await backoff(attempt);
    }
    throw fail('STOCK_CONTENDED', `could not settle reservation ${r.id}; the sweeper will retry`);
  }

  /** Takes the units from a warehouse of the region, unless an earlier attempt already holds them. */
  async function hold(r: ReservationRecord): Promise<string> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const rows = (await listStock(r.sku)).filter((row) => row.region === r.region);
      const plan = planReserve(rows, r.id, r.quantity);
      if (plan.kind === 'already-held') return plan.warehouseId;
      if (plan.kind === 'insufficient') {
        await transition(r.id, 'pending', 'rejected');
        metrics.outcomes.inc({ operation: 'reserve', outcome: 'insufficient' });
        throw fail(
          'INSUFFICIENT_STOCK',
          `${plan.available} of ${r.sku} available in ${r.region} in one warehouse, ${r.quantity} asked`,
          { sku: r.sku, region: r.region, available: plan.available },
        );
      }
      if (await writeStock(r.sku, plan.row, plan.next, { add: [r.id, r.quantity] }))
        return plan.row.warehouseId;
      metrics.conflicts.inc();
      await backoff(attempt);
    }
    // Rejected, so a retry of the same order tries again at once; a hold a timed-out write may still have
    // taken is found by that retry (already held) or given back by the sweeper (rejected settles as return).
    await transition(r.id, 'pending', 'rejected');
    throw fail('STOCK_CONTENDED', `too many concurrent writers on ${r.sku}; retry`);
  }

  async function mustGet(id: string): Promise<ReservationRecord> {
    const r = await getReservation(id);
    if (!r) throw fail('RESERVATION_NOT_FOUND', `reservation ${id} does not exist`);
    return r;
  }

  async function expire(r: ReservationRecord, now: Date): Promise<boolean> {
    const applied = await transition(r.id, 'reserved', 'expired', {}, ' AND expires_at <= ?', [now]);
    const current = await mustGet(r.id);
    if (applied) metrics.expired.inc();
    if (current.status === 'expired') {
      await settle(current);
      await emit(current);
    }
    return applied;
  }

  /** Lazy expiry: a reservation read after its TTL is expired on the spot (the sweeper may be behind). */
  async function fresh(r: ReservationRecord, now: Date): Promise<ReservationRecord> {
    if (r.status === 'reserved' && now >= r.expiresAt) {
      await expire(r, now);
      return mustGet(r.id);
    }
    return r;
  }

  return {
    listStock: (sku: string) => cql(() => listStock(sku)),

    get: (id: string, now = new Date()) => cql(async () => fresh(await mustGet(id), now)),

    /** Reserves for an order; the same order and SKU always answer the same reservation. */
    reserve: (input: ReserveInput) =>
      cql(async (): Promise<{ reservation: ReservationRecord; created: boolean }> => {
        const id = input.reservationId ?? reservationIdFor(input.orderId, input.sku);
        const stock = await listStock(input.sku);
        if (stock.length === 0) throw fail('SKU_NOT_FOUND', `no stock is kept for SKU ${input.sku}`);
        const now = new Date();
        const expiresAt = new Date(now.getTime() + input.ttlSeconds * 1000);
        const claim = await client.execute(
          `INSERT INTO reservations (id, order_id, sku, region, quantity, status, expires_at, created_at, updated_at, after_expiry)
           VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, false) IF NOT EXISTS USING TTL ?`,
          [id, input.orderId, input.sku, input.region, input.quantity, expiresAt, now, now, RETENTION],
        );
        if (!claim.wasApplied()) {
          const existing = await mustGet(id);
          if (
            existing.orderId !== input.orderId ||
            existing.sku !== input.sku ||
            existing.region !== input.region ||
            existing.quantity !== input.quantity
          )
            throw fail('RESERVATION_MISMATCH', `reservation ${id} was made for other terms`, {
              reservationId: id,
            });
          if (existing.status === 'rejected') {
            // An earlier attempt found too little stock; this one tries again.
            if (!(await transition(id, 'rejected', 'pending', { expires_at: expiresAt })))
              throw fail('RESERVATION_IN_PROGRESS', `reservation ${id} is being made; retry`);
          } else if (existing.status === 'pending') {
            if (now.getTime() - existing.updatedAt.getTime() < STALE_PENDING_MS)
              throw fail('RESERVATION_IN_PROGRESS', `reservation ${id} is being made; retry`);
            // Its request died: resume it; the holds on the stock rows say whether units were taken.
          } else {
            metrics.outcomes.inc({ operation: 'reserve', outcome: 'replayed' });
            return { reservation: await fresh(existing, now), created: false };
          }
        }
        const pending = await mustGet(id);
        const warehouseId = await hold(pending);
        await transition(id, 'pending', 'reserved', { warehouse_id: warehouseId, expires_at: expiresAt });
        const reservation = await mustGet(id);
        await emit(reservation);
        metrics.outcomes.inc({ operation: 'reserve', outcome: 'reserved' });
        return { reservation, created: true };
      }),

    /** Commits a reservation; in `broken` mode without checking that it is still alive (the incident). */
    commit: (id: string, mode: CommitMode, now = new Date()) =>
      cql(async (): Promise<{ reservation: ReservationRecord; oversoldUnits: number }> => {
        for (let attempt = 1; attempt <= 5; attempt++) {
          const r = await mustGet(id);
          const decision = decideCommit(r, now, mode);
          switch (decision.kind) {
            case 'already-committed':
              await settle(r); // a no-op unless an earlier attempt died half-way
              await emit(r);
              return { reservation: r, oversoldUnits: 0 };
            case 'expire-then-refuse':
              await expire(r, now);
              metrics.outcomes.inc({ operation: 'commit', outcome: 'refused_expired' });
              throw fail('RESERVATION_EXPIRED', `reservation ${id} expired at ${r.expiresAt.toISOString()}`);
            case 'refuse':
              metrics.outcomes.inc({ operation: 'commit', outcome: `refused_${r.status}` });
              throw fail(decision.code, `reservation ${id} is ${r.status}`, { reservationStatus: r.status });
            case 'commit': {
              // The fixed mode's guarantee is the condition itself: no interleaving can commit a dead one.
              const applied =
                mode === 'fixed'
                  ? await transition(
                      id,
                      'reserved',
                      'committed',
                      { after_expiry: false },
                      ' AND expires_at > ?',
                      [now],
                    )
                  : await transition(id, decision.from, 'committed', { after_expiry: decision.afterExpiry });
              if (!applied) continue; // changed under us (expired, released, committed): decide again
              const committed = await mustGet(id);
              const oversoldUnits = await settle(committed);
              await emit(committed);
              metrics.outcomes.inc({
                operation: 'commit',
                outcome: decision.afterExpiry ? 'committed_after_expiry' : 'committed',
              });
              return { reservation: committed, oversoldUnits };
            }
          }
        }
        throw fail('RESERVATION_IN_PROGRESS', `reservation ${id} keeps changing; retry`);
      }),

    /** Gives the units back; releasing a released or expired reservation answers it as it is. */
    release: (id: string, reason: ReleaseReason, now = new Date()) =>
      cql(async (): Promise<ReservationRecord> => {
        for (let attempt = 1; attempt <= 5; attempt++) {
          const r = await fresh(await mustGet(id), now);
          if (r.status === 'released' || r.status === 'expired' || r.status === 'rejected') {
            await settle(r);
            await emit(r);
            return r;
          }
          if (r.status !== 'reserved')
            throw fail('RESERVATION_NOT_ACTIVE', `reservation ${id} is ${r.status}`, {
              reservationStatus: r.status,
            });
          if (!(await transition(id, 'reserved', 'released', { release_reason: reason }))) continue;
          const released = await mustGet(id);
          await settle(released);
          await emit(released);
          metrics.outcomes.inc({ operation: 'release', outcome: 'released' });
          return released;
        }
        throw fail('RESERVATION_IN_PROGRESS', `reservation ${id} keeps changing; retry`);
      }),

    /** Adds or removes on-hand units of a SKU in a warehouse (created on first use). */
    adjust: (input: AdjustInput) =>
      cql(async () => {
        const created = await client.execute(
          `INSERT INTO stock (sku, warehouse_id, region, available, reserved, sold, oversold, received, version, updated_at)
           VALUES (?, ?, ?, 0, 0, 0, 0, 0, 0, ?) IF NOT EXISTS`,
          [input.sku, input.warehouseId, input.region, new Date()],
        );
        if (!created.wasApplied() && created.first()?.get('region') !== input.region) {
          const region = created.first()?.get('region');
          if (region && region !== input.region)
            throw fail('WAREHOUSE_REGION_MISMATCH', `warehouse ${input.warehouseId} lies in ${region}`);
        }
        for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
          const row = (await listStock(input.sku)).find((r) => r.warehouseId === input.warehouseId);
          if (!row) throw fail('SKU_NOT_FOUND', `no stock row for ${input.sku} in ${input.warehouseId}`);
          const next = adjust(row, input.delta);
          if (await writeStock(input.sku, row, next, undefined)) {
            const occurredAt = new Date();
            const after = { ...row, ...next, version: row.version + 1 };
            // Keyed by the new version, so a re-sent event for this change has the same id.
            const eventId = derivedId('adjusted', input.sku, input.warehouseId, String(after.version));
            const rows = (await listStock(input.sku)).map((r) =>
              r.warehouseId === row.warehouseId ? after : r,
            );
            await client.batch(
              [
                await stockAdjustedInsert(encoder, {
                  eventId,
                  sku: input.sku,
                  warehouseId: input.warehouseId,
                  region: input.region,
                  delta: input.delta,
                  onHand: after.available + after.reserved,
                  reserved: after.reserved,
                  available: after.available,
                  reason: input.reason,
                  occurredAt,
                }),
                await globalUpdateInsert(encoder, {
                  sku: input.sku,
                  region: input.region,
                  regions: regionFigures(rows, occurredAt),
                  occurredAt,
                }),
              ],
              { prepare: true, logged: true },
            );
            return after;
          }
          metrics.conflicts.inc();
          await backoff(attempt);
        }
        throw fail('STOCK_CONTENDED', `too many concurrent writers on ${input.sku}; retry`);
      }),

    /**
     * One pass of the sweeper: expires reservations past their TTL (the LWT on status makes each expiry,
     * and so each return of units, happen once however many sweepers and requests race), finishes changes
     * whose request died after the status LWT (settles the stock, writes the missing event), and rejects
     * pending reservations abandoned by their request.
     */
    sweep: (now = new Date()) =>
      cql(async () => {
        let expired = 0;
        let repaired = 0;
        let pageState: string | undefined;
        do {
          const rs = await client.execute(`SELECT ${reservationColumns} FROM reservations`, [], {
            fetchSize: 500,
            ...(pageState ? { pageState } : {}),
          });
          pageState = rs.pageState ?? undefined;
          for (const row of rs.rows) {
            const r = toReservation(row);
            try {
              if (r.status === 'reserved' && now >= r.expiresAt) {
                if (await expire(r, now)) expired++;
              } else if (
                emittingStatuses.has(r.status) &&
                r.emitted !== r.status &&
                now.getTime() - r.updatedAt.getTime() > EMIT_GRACE_MS
              ) {
                await settle(r);
                await emit(r);
                repaired++;
              } else if (r.status === 'pending' && now.getTime() - r.updatedAt.getTime() > STALE_PENDING_MS) {
                const held = (await listStock(r.sku)).find((s) => s.holds[r.id] !== undefined);
                if (held) await transition(r.id, 'pending', 'reserved', { warehouse_id: held.warehouseId });
                else await transition(r.id, 'pending', 'rejected');
                const after = await mustGet(r.id);
                await settle(after);
                await emit(after);
                repaired++;
              }
            } catch (err) {
              // One stuck reservation must not stop the others; the next pass tries it again.
              if (!(err instanceof DomainError)) throw err;
            }
          }
        } while (pageState);
        return { expired, repaired };
      }),

    /** Publishes `inventory.global.update.v1` for every SKU changed since `since` (all when undefined). */
    publishGlobalUpdates: (since: Map<string, number>, region: string) =>
      cql(async () => {
        const bySku = new Map<string, { rows: WarehouseStock[]; latest: number }>();
        let pageState: string | undefined;
        do {
          const rs = await client.execute(`SELECT ${stockColumns} FROM stock`, [], {
            fetchSize: 1000,
            ...(pageState ? { pageState } : {}),
          });
          pageState = rs.pageState ?? undefined;
          for (const row of rs.rows) {
            const sku = row.get('sku') as string;
            const entry = bySku.get(sku) ?? { rows: [], latest: 0 };
            entry.rows.push(toStock(row));
            entry.latest = Math.max(entry.latest, (row.get('updated_at') as Date | null)?.getTime() ?? 0);
            bySku.set(sku, entry);
          }
        } while (pageState);
        let published = 0;
        for (const [sku, { rows, latest }] of bySku) {
          if ((since.get(sku) ?? -1) >= latest) continue;
          const occurredAt = new Date();
          const insert = await globalUpdateInsert(encoder, {
            sku,
            region,
            regions: regionFigures(rows, new Date(latest)),
            occurredAt,
          });
          await client.execute(insert.query, insert.params);
          since.set(sku, latest);
          published++;
        }
        return published;
      }),
  };
}

/** Per-region figures of a SKU's rows: on hand = available + reserved (sold units have left). */
export function regionFigures(rows: StockLevels[] & { region: string }[], asOf: Date): RegionFigure[] {
  const byRegion = new Map<string, RegionFigure>();
  for (const r of rows as (StockLevels & { region: string })[]) {
    const f = byRegion.get(r.region) ?? { region: r.region, onHand: 0, reserved: 0, available: 0, asOf };
    f.reserved += r.reserved;
    f.available += r.available;
    f.onHand += r.available + r.reserved;
    byRegion.set(r.region, f);
  }
  return [...byRegion.values()].sort((a, b) => a.region.localeCompare(b.region));
}

export type InventoryRepository = ReturnType<typeof inventoryRepository>;

declare module 'fastify' {
  interface FastifyInstance {
    inventory: InventoryRepository;
  }
}

/** `app.inventory`: the repository over `app.cassandra`. */
export const inventoryRepositoryPlugin = fp(
  async (app: FastifyInstance, options: { encoder: EventEncoder; metrics: InventoryMetrics }) => {
    app.decorate('inventory', inventoryRepository(app.cassandra, options.encoder, options.metrics));
  },
  { name: 'inventory-repository', dependencies: ['inventory-cassandra'] },
);
