import {
  assertSelfOrRole,
  type Claims,
  DomainError,
  hasRole,
  type IdempotencyStore,
  problemResponses,
  type RoutesPlugin,
} from '@shop/common';
import { reduceCard } from '../domain/card.js';
import { fail } from '../errors.js';
import { type MockPsp, PspUnavailableError } from '../psp/mock-psp.js';
import {
  AuthorizeBody,
  CaptureBody,
  Journal,
  ListQuery,
  Payment,
  PaymentIdParams,
  PaymentList,
  RefundBody,
  RefundResult,
  VoidBody,
} from './schemas.js';

export interface PaymentRoutesOptions {
  psp: MockPsp;
  idempotencyStore: IdempotencyStore;
  cardTokenSecret: string;
  authorizationTtlSeconds: number;
}

/** Payments: authorize, capture, void, refund, reads. */
export const paymentRoutes: RoutesPlugin<PaymentRoutesOptions> = async (app, options) => {
  const { payments, paymentMetrics } = app;
  const { psp } = options;
  const tags = ['payments'];
  const security = [{ bearer: [] }];

  app.post(
    '/payments/authorize',
    {
      config: { roles: ['customer', 'service'], idempotent: true },
      schema: {
        summary: 'Authorise a payment for an order',
        description:
          'One live payment per order: repeating the call for the same order answers the existing payment (200) ' +
          'instead of charging again; a concurrent repeat gets 409 PAYMENT_IN_PROGRESS. Honours Idempotency-Key. ' +
          'A decline answers 402 PAYMENT_DECLINED (the attempt is kept as `failed`); a PSP failure answers 503 ' +
          'PSP_UNAVAILABLE and leaves nothing behind. `psp` steers the mock PSP (service and admin only).',
        tags,
        security,
        body: AuthorizeBody,
        response: { 200: Payment, 201: Payment, ...problemResponses(400, 401, 402, 403, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const { card, psp: override, ...input } = request.body;
      assertSelfOrRole(request, input.customerId, 'service');
      if (override && !hasRole(request.user as Claims, ['service'])) {
        throw fail('PSP_OVERRIDE_FORBIDDEN', 'remove `psp` from the body');
      }
      const reduced = card
        ? 'number' in card
          ? reduceCard(card, options.cardTokenSecret, new Date())
          : { token: card.token, last4: null, brand: 'unknown' }
        : null;
      const { payment, created } = await payments.begin({ ...input, card: reduced }).catch(async (err) => {
        // "Still in progress" is true only for now: forget the key so a retry with it gets the settled answer.
        if (err instanceof DomainError && err.code === 'PAYMENT_IN_PROGRESS' && request.idempotencyScope) {
          await options.idempotencyStore.release(request.idempotencyScope);
          request.idempotencyScope = undefined;
        }
        throw err;
      });
      if (!created) {
        paymentMetrics.outcome('authorize', 'replayed');
        return reply.status(200).send(payment);
      }
      let answer: Awaited<ReturnType<MockPsp['authorize']>>;
      try {
        answer = await psp.authorize(override);
      } catch (err) {
        await payments.abandon(payment.id);
        paymentMetrics.outcome('authorize', 'psp_unavailable');
        if (err instanceof PspUnavailableError) {
          throw fail('PSP_UNAVAILABLE', 'the PSP failed; nothing was charged, retry later');
        }
        throw err;
      }
      try {
        if (answer.outcome === 'declined') {
          const failed = await payments.declined(payment.id, answer.reason, answer.detail);
          paymentMetrics.outcome('authorize', 'declined');
          throw fail('PAYMENT_DECLINED', answer.detail, { paymentId: failed.id, reason: answer.reason });
        }
        const expiresAt = new Date(Date.now() + options.authorizationTtlSeconds * 1000);
        const authorized = await payments.authorized(payment.id, answer.reference, expiresAt);
        paymentMetrics.outcome('authorize', 'authorized');
        return reply.status(201).header('location', `/payments/${authorized.id}`).send(authorized);
      } catch (err) {
        // Recording the answer failed (database or registry down): drop the attempt so a retry starts clean.
        if (!(err instanceof Error && 'code' in err && err.code === 'PAYMENT_DECLINED')) {
          await payments.abandon(payment.id).catch(() => undefined);
          paymentMetrics.outcome('authorize', 'error');
        }
        throw err;
      }
    },
  );

  app.post(
    '/payments/:paymentId/capture',
    {
      config: { roles: ['service'], idempotent: true },
      schema: {
        summary: 'Capture an authorised payment',
        description: 'Captures `amountMinor` (default: the whole authorisation) once; the rest is released.',
        tags,
        security,
        params: PaymentIdParams,
        body: CaptureBody,
        response: { 200: Payment, ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (request) => {
      const payment = await payments.capture(
        request.params.paymentId,
        request.body?.amountMinor,
        psp.reference(),
      );
      paymentMetrics.outcome('capture', 'captured');
      return payment;
    },
  );

  app.post(
    '/payments/:paymentId/void',
    {
      config: { roles: ['service'], idempotent: true },
      schema: {
        summary: 'Void an authorised payment',
        description:
          'Releases the whole authorisation; only an authorised, uncaptured payment can be voided.',
        tags,
        security,
        params: PaymentIdParams,
        body: VoidBody,
        response: { 200: Payment, ...problemResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => {
      const payment = await payments.void(request.params.paymentId, request.body?.reason ?? null);
      paymentMetrics.outcome('void', 'voided');
      return payment;
    },
  );

  app.post(
    '/payments/:paymentId/refund',
    {
      config: { roles: ['service'], idempotent: true },
      schema: {
        summary: 'Refund a captured payment',
        description:
          'Refunds `amountMinor` (default: all that remains). Send an Idempotency-Key: without one, a repeat is a ' +
          'second refund (refused once nothing remains).',
        tags,
        security,
        params: PaymentIdParams,
        body: RefundBody,
        response: { 201: RefundResult, ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const result = await payments.refund(
        request.params.paymentId,
        request.body?.amountMinor,
        request.body?.reason ?? null,
      );
      paymentMetrics.outcome('refund', result.payment.status);
      return reply.status(201).send(result);
    },
  );

  app.get(
    '/payments/:paymentId',
    {
      config: { roles: ['customer', 'service'] },
      schema: {
        summary: 'Get a payment',
        description: 'A customer reads only their own payments.',
        tags,
        security,
        params: PaymentIdParams,
        response: { 200: Payment, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const payment = await payments.get(request.params.paymentId);
      if (!payment) throw fail('PAYMENT_NOT_FOUND', `payment ${request.params.paymentId} does not exist`);
      assertSelfOrRole(request, payment.customerId, 'service');
      return payment;
    },
  );

  app.get(
    '/payments',
    {
      config: { roles: ['service'] },
      schema: {
        summary: "List an order's payments",
        description: 'Every attempt for the order, declined ones included, oldest first.',
        tags,
        security,
        querystring: ListQuery,
        response: { 200: PaymentList, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (request) => ({ items: await payments.listByOrder(request.query.orderId) }),
  );

  app.get(
    '/payments/:paymentId/journal',
    {
      config: { roles: ['service'] },
      schema: {
        summary: "A payment's journal entries",
        description: 'Double-entry lines, debits positive and credits negative; each entry sums to zero.',
        tags,
        security,
        params: PaymentIdParams,
        response: { 200: Journal, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const { paymentId } = request.params;
      if (!(await payments.get(paymentId)))
        throw fail('PAYMENT_NOT_FOUND', `payment ${paymentId} does not exist`);
      return { items: await payments.journal(paymentId) };
    },
  );
};
