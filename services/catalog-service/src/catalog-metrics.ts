import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, type Registry } from 'prom-client';

function catalogCounters(app: FastifyInstance) {
  return {
    /** Stored documents a read skipped because they are not valid products (drift, manual edits). */
    invalidDocuments: new Counter({
      name: 'catalog_invalid_documents_total',
      help: 'Stored documents skipped by a read because they are not valid products',
      registers: [app.metrics],
    }),
    /** Media objects left in the bucket because removing them failed after their product was deleted. */
    mediaOrphaned: new Counter({
      name: 'catalog_media_orphaned_total',
      help: 'Media objects that could not be removed with their product',
      registers: [app.metrics],
    }),
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    // Decorated by the kit's metrics plugin, whose declaration the kit's barrel does not carry.
    metrics: Registry;
    catalogMetrics: ReturnType<typeof catalogCounters>;
  }
}

/** The catalog's own counters on the kit's registry; listed in docs/telemetry.md. */
export const catalogMetricsPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorate('catalogMetrics', catalogCounters(app));
  },
  { name: 'catalog-metrics', dependencies: ['kit-metrics'] },
);
