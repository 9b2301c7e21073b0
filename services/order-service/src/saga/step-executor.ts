// Performs one saga step or compensation against inventory and payment and reports the outcome in the
// domain's terms; what the outcome does to the saga is decided by src/domain/checkout-saga.ts.
import {
  type CompensationName,
  commitChecks,
  type SagaState,
  type StepName,
  type StepOutcome,
} from '../domain/checkout-saga.js';
import type { Order } from '../domain/order.js';
import { isTransient, problemCode, type SagaClients } from './clients.js';

type CompensationOutcome = Exclude<StepOutcome, { kind: 'failed' } | { kind: 'expired' }>;

interface Answer {
  status: number;
  body: unknown;
}

function describe(a: Answer): string {
  return `${a.status} ${problemCode(a.body) ?? ''}`.trim();
}

export interface StepExecutor {
  step(name: StepName, order: Order, state: SagaState): Promise<StepOutcome>;
  compensate(name: CompensationName, order: Order, state: SagaState): Promise<CompensationOutcome>;
}

export function createStepExecutor(
  clients: SagaClients,
  options: { authorizeTimeoutMs: number },
): StepExecutor {
  const { inventory, payment } = clients;

  // Every call is made idempotent by the saga's own ids and keys, so a retry after a crash or a timeout
  // lands on the same reservation or payment instead of making a second one.
  const paymentKey = (order: Order, action: string) => `order-${order.id}-${action}`;

  async function guard<T extends StepOutcome>(
    work: () => Promise<T>,
  ): Promise<T | { kind: 'retry'; error: string }> {
    try {
      return await work();
    } catch (err) {
      if (isTransient(err)) return { kind: 'retry', error: (err as Error).message };
      throw err;
    }
  }

  const steps: Record<StepName, (order: Order, state: SagaState) => Promise<StepOutcome>> = {
    async reserve(order, state) {
      for (const r of state.reservations) {
        const res = await inventory.request({
          method: 'POST',
          path: '/reservations',
          idempotent: true,
          body: {
            orderId: order.id,
            sku: r.sku,
            region: order.region,
            quantity: r.quantity,
            ttlSeconds: state.ttlSeconds,
            reservationId: r.id,
          },
        });
        if (res.status === 200 || res.status === 201) continue;
        const code = problemCode(res.body);
        if (code === 'RESERVATION_IN_PROGRESS') return { kind: 'retry', error: describe(res) };
        if (code === 'INSUFFICIENT_STOCK' || code === 'SKU_NOT_FOUND') {
          return { kind: 'failed', error: `${r.sku}: ${describe(res)}`, reason: 'out_of_stock' };
        }
        return { kind: 'failed', error: `${r.sku}: ${describe(res)}`, reason: 'reservation_refused' };
      }
      return { kind: 'done' };
    },

    async authorize(order, state) {
      const res = await payment.request<{ id?: string; status?: string }>({
        method: 'POST',
        path: '/payments/authorize',
        idempotent: true,
        timeoutMs: options.authorizeTimeoutMs,
        headers: { 'idempotency-key': paymentKey(order, 'authorize') },
        body: {
          orderId: order.id,
          customerId: order.customerId,
          region: order.region,
          amountMinor: order.totalMinor,
          currency: order.currency,
          ...(state.psp ? { psp: state.psp } : {}),
        },
      });
      const status = res.body?.status;
      if ((res.status === 200 || res.status === 201) && res.body?.id) {
        // A replay can answer an earlier attempt that did not end authorized.
        if (status !== 'authorized' && status !== 'captured') {
          return { kind: 'failed', error: `payment ${status}`, reason: 'payment_declined' };
        }
        return { kind: 'done', patch: { paymentId: res.body.id } };
      }
      const code = problemCode(res.body);
      // The same authorization is still being made (our own earlier attempt, cut by a timeout).
      if (code === 'PAYMENT_IN_PROGRESS' || code === 'IDEMPOTENCY_KEY_IN_USE') {
        return { kind: 'retry', error: describe(res) };
      }
      if (res.status === 402) return { kind: 'failed', error: describe(res), reason: 'payment_declined' };
      return { kind: 'failed', error: describe(res), reason: 'payment_refused' };
    },

    async commit(_order, state) {
      let oversold = 0;
      for (const r of state.reservations) {
        const res = await inventory.request<{ oversoldUnits?: number }>({
          method: 'POST',
          path: `/reservations/${r.id}/commit`,
          idempotent: true,
          query: { check: commitChecks(state.mode) ? 'true' : 'false' },
        });
        if (res.status === 200) {
          oversold += res.body.oversoldUnits ?? 0;
          continue;
        }
        const code = problemCode(res.body);
        if (code === 'RESERVATION_EXPIRED' || code === 'RESERVATION_NOT_ACTIVE') {
          return { kind: 'expired', error: `${r.sku}: ${describe(res)}` };
        }
        return { kind: 'failed', error: `${r.sku}: ${describe(res)}`, reason: 'commit_refused' };
      }
      return { kind: 'done', patch: { oversoldUnits: state.oversoldUnits + oversold } };
    },

    async capture(order, state) {
      const res = await payment.request({
        method: 'POST',
        path: `/payments/${state.paymentId}/capture`,
        idempotent: true,
        headers: { 'idempotency-key': paymentKey(order, 'capture') },
        body: { amountMinor: order.totalMinor },
      });
      if (res.status === 200 || res.status === 201) return { kind: 'done', patch: { captured: true } };
      return { kind: 'failed', error: describe(res), reason: 'capture_refused' };
    },

    // Confirming is the runner's own write (the order status in the saga's transaction).
    async confirm() {
      return { kind: 'done' };
    },
  };

  /** Voids authorized payments and refunds captured ones; waits (retry) while one is still pending at the PSP. */
  async function settlePayments(order: Order, state: SagaState): Promise<CompensationOutcome> {
    const list = await payment.request<{ items: { id: string; status: string }[] }>({
      path: '/payments',
      query: { orderId: order.id },
    });
    if (list.status !== 200) return { kind: 'retry', error: `listing payments: ${describe(list)}` };
    let refunded = state.refunded;
    const reason = state.reason ?? 'order_cancelled';
    for (const p of list.body.items) {
      if (p.status === 'pending')
        return { kind: 'retry', error: `payment ${p.id} is still pending at the PSP` };
      if (p.status === 'refunded') refunded = true;
      if (p.status === 'authorized') {
        const res = await payment.request({
          method: 'POST',
          path: `/payments/${p.id}/void`,
          idempotent: true,
          headers: { 'idempotency-key': paymentKey(order, `void-${p.id}`) },
          body: { reason },
        });
        // 409: no longer voidable (it lapsed, or was voided by an earlier attempt): nothing left to give back.
        if (res.status !== 200 && res.status !== 409)
          return { kind: 'retry', error: `void ${p.id}: ${describe(res)}` };
      }
      if (p.status === 'captured' || p.status === 'partially_refunded') {
        const res = await payment.request({
          method: 'POST',
          path: `/payments/${p.id}/refund`,
          idempotent: true,
          headers: { 'idempotency-key': paymentKey(order, `refund-${p.id}`) },
          body: { reason },
        });
        if (res.status !== 201) return { kind: 'retry', error: `refund ${p.id}: ${describe(res)}` };
        refunded = true;
      }
    }
    return { kind: 'done', patch: { refunded } };
  }

  const compensations: Record<
    CompensationName,
    (order: Order, state: SagaState) => Promise<CompensationOutcome>
  > = {
    async release(_order, state) {
      for (const r of state.reservations) {
        const res = await inventory.request({
          method: 'POST',
          path: `/reservations/${r.id}/release`,
          idempotent: true,
          body: { reason: 'order_cancelled' },
        });
        // 404: never made; 409: committed, which only a compensation for a later step could undo.
        if (![200, 404, 409].includes(res.status)) return { kind: 'retry', error: describe(res) };
      }
      return { kind: 'done' };
    },

    // Void and refund both settle every payment of the order, found by order id rather than by the id the
    // saga remembers: an authorization whose answer was lost (timeout, crash) is found and undone too, so
    // no checkout is left paid without an order.
    void: (order, state) => settlePayments(order, state),
    refund: (order, state) => settlePayments(order, state),

    // Cancelling is the runner's own write (the order status in the saga's transaction).
    async cancel() {
      return { kind: 'done' };
    },
  };

  return {
    step: (name, order, state) => guard(() => steps[name](order, state)),
    compensate: async (name, order, state) =>
      (await guard(() => compensations[name](order, state))) as CompensationOutcome,
  };
}
