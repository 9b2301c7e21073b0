import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge } from 'prom-client';

declare module 'fastify' {
  interface FastifyInstance {
    paymentMetrics: { outcome(operation: string, outcome: string): void };
  }
}

/** payment_operations_total by operation and outcome; payment_ledger_imbalance_minor, which must stay 0. */
export const paymentMetricsPlugin = fp(
  async (app: FastifyInstance) => {
    const operations = new Counter({
      name: 'payment_operations_total',
      help: 'Payment operations by operation (authorize, capture, void, refund) and outcome',
      labelNames: ['operation', 'outcome'],
      registers: [app.metrics],
    });
    const payments = app.payments;
    new Gauge({
      name: 'payment_ledger_imbalance_minor',
      help: 'Sum of all journal lines per currency in minor units; anything but 0 is a broken ledger',
      labelNames: ['currency'],
      registers: [app.metrics],
      async collect() {
        // A scrape while the database is down must still answer; the gauge then keeps its last values.
        const rows = await payments.imbalance().catch(() => undefined);
        for (const r of rows ?? []) this.set({ currency: r.currency }, r.imbalanceMinor);
      },
    });
    app.decorate('paymentMetrics', {
      outcome: (operation: string, outcome: string) => operations.inc({ operation, outcome }),
    });
  },
  { name: 'payment-metrics', dependencies: ['kit-metrics', 'payment-repository'] },
);
