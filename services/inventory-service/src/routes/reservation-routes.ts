import { problemResponses, type RoutesPlugin } from '@shop/common';
import type { CommitMode } from '../domain/inventory.js';
import type { ReservationRecord } from '../events/inventory-events.js';
import {
  CommitQuery,
  CommitResult,
  ReleaseBody,
  Reservation,
  ReservationParams,
  ReserveBody,
} from './schemas.js';

export function reservationView(r: ReservationRecord) {
  return {
    id: r.id,
    orderId: r.orderId,
    sku: r.sku,
    region: r.region,
    warehouseId: r.warehouseId,
    quantity: r.quantity,
    status: r.status,
    expiresAt: r.expiresAt.toISOString(),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    afterExpiry: r.afterExpiry,
    releaseReason: r.releaseReason,
  };
}

/** Reservations: reserve with a TTL, read, commit, release — all safe to retry. */
export const reservationRoutes: RoutesPlugin<{ defaultTtlSeconds: number; commitMode: CommitMode }> = async (
  app,
  options,
) => {
  const { inventory } = app;

  app.post(
    '/reservations',
    {
      config: { roles: ['service', 'admin'], idempotent: true },
      schema: {
        summary: 'Reserve units of a SKU in a region for an order',
        description:
          'Idempotent: the same orderId and sku (or reservationId) answer the same reservation (200 instead ' +
          'of 201); Idempotency-Key is honoured too. The reservation lapses after ttlSeconds unless committed.',
        tags: ['reservations'],
        security: [{ bearer: [] }],
        body: ReserveBody,
        response: {
          200: Reservation,
          201: Reservation,
          ...problemResponses(400, 401, 403, 404, 409, 422, 503),
        },
      },
    },
    async (request, reply) => {
      const { ttlSeconds, reservationId, ...rest } = request.body;
      const { reservation, created } = await inventory.reserve({
        ...rest,
        ttlSeconds: ttlSeconds ?? options.defaultTtlSeconds,
        ...(reservationId ? { reservationId } : {}),
      });
      return reply
        .status(created ? 201 : 200)
        .header('location', `/reservations/${reservation.id}`)
        .send(reservationView(reservation));
    },
  );

  app.get(
    '/reservations/:reservationId',
    {
      config: { roles: ['service', 'admin'] },
      schema: {
        summary: 'Get a reservation',
        description: 'A reservation past its TTL is expired on read, returning its units.',
        tags: ['reservations'],
        security: [{ bearer: [] }],
        params: ReservationParams,
        response: { 200: Reservation, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => reservationView(await inventory.get(request.params.reservationId)),
  );

  app.post(
    '/reservations/:reservationId/commit',
    {
      config: { roles: ['service', 'admin'], idempotent: true },
      schema: {
        summary: 'Commit a reservation: its units are sold',
        description:
          'check=true (fixed) refuses a reservation that expired or is not reserved (409). check=false ' +
          '(broken, the original incident) commits anyway, selling units the expiry already gave back. ' +
          'Without check, INVENTORY_COMMIT_MODE decides. Committing twice answers the committed reservation.',
        tags: ['reservations'],
        security: [{ bearer: [] }],
        params: ReservationParams,
        querystring: CommitQuery,
        response: { 200: CommitResult, ...problemResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => {
      const { check } = request.query;
      const mode: CommitMode =
        check === undefined ? options.commitMode : check === 'true' ? 'fixed' : 'broken';
      const { reservation, oversoldUnits } = await inventory.commit(request.params.reservationId, mode);
      return { ...reservationView(reservation), oversoldUnits };
    },
  );

  app.post(
    '/reservations/:reservationId/release',
    {
      config: { roles: ['service', 'admin'], idempotent: true },
      schema: {
        summary: 'Release a reservation: its units are available again',
        description:
          'The saga compensation. Releasing a released or expired reservation answers it unchanged; a ' +
          'committed one answers 409.',
        tags: ['reservations'],
        security: [{ bearer: [] }],
        params: ReservationParams,
        body: ReleaseBody,
        response: { 200: Reservation, ...problemResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) =>
      reservationView(
        await inventory.release(request.params.reservationId, request.body?.reason ?? 'unknown'),
      ),
  );
};
