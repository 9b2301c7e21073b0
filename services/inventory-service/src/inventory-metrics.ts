import { Counter, type Registry } from 'prom-client';

/** The incident signals; names and units are listed in docs/telemetry.md. */
export function inventoryMetrics(registry: Registry) {
  return {
    expired: new Counter({
      name: 'inventory_reservations_expired_total',
      help: 'Reservations that reached their TTL and gave their units back (once each)',
      registers: [registry],
    }),
    oversold: new Counter({
      name: 'inventory_oversold_units_total',
      help: 'Units sold beyond the stock that existed (broken commit mode)',
      labelNames: ['region'],
      registers: [registry],
    }),
    outcomes: new Counter({
      name: 'inventory_reservation_outcomes_total',
      help: 'Reservation requests by outcome',
      labelNames: ['operation', 'outcome'],
      registers: [registry],
    }),
    conflicts: new Counter({
      name: 'inventory_stock_write_conflicts_total',
      help: 'Conditional stock writes that lost to a concurrent writer and were retried',
      registers: [registry],
    }),
  };
}

export type InventoryMetrics = ReturnType<typeof inventoryMetrics>;

declare module 'fastify' {
  interface FastifyInstance {
    // Decorated by the kit's metrics plugin, whose declaration the kit's barrel does not carry.
    metrics: Registry;
  }
}
