// The loop that drives checkout sagas: claim due sagas from MariaDB under a lease, run their next steps,
// and persist every transition (with the order status and its event) in one transaction. All state lives
// in the table, so a runner that crashes at any step is replaced by the next one once its lease runs out.
import { randomUUID } from 'node:crypto';
import { DomainError, mysqlTransaction } from '@shop/common';
import type { FastifyBaseLogger } from 'fastify';
import type mysql from 'mysql2/promise';
import type { OrderRepository } from '../db/order-repository.js';
import type { SagaRecord, SagaRepository } from '../db/saga-repository.js';
import {
  applyCompensationOutcome,
  applyStepOutcome,
  currentStep,
  nextAction,
  type StepDefinition,
  type Transition,
} from '../domain/checkout-saga.js';
import type { StepExecutor } from './step-executor.js';

export interface SagaRunnerOptions {
  pool: mysql.Pool;
  orders: OrderRepository;
  sagas: SagaRepository;
  executor: StepExecutor;
  steps: readonly StepDefinition[];
  pollMs: number;
  batch: number;
  /**
   * How long a claim lasts without renewal. A live runner renews it every third of that while it works, so a
   * slow call (a PSP hold) never loses it, and a crashed runner's sagas are resumed within this bound.
   */
  leaseMs: number;
  logger: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
  onFinished?: (record: SagaRecord) => void;
}

export interface SagaRunner {
  /** Runs every saga that is due now, once; answers how many were worked on. */
  tick(): Promise<number>;
  stop(): Promise<void>;
}

export function startSagaRunner(options: SagaRunnerOptions, loop = true): SagaRunner {
  const { pool, orders, sagas, executor, steps, logger } = options;
  const owner = randomUUID();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  async function persist(record: SagaRecord, transition: Transition): Promise<boolean> {
    return mysqlTransaction(pool, async (conn) => {
      if (transition.orderStatus) {
        const { to, reason } = transition.orderStatus;
        try {
          await orders.transitionIn(conn, record.orderId, to, reason);
        } catch (err) {
          // Already there (a re-reservation reaching `reserved` again) or moved on by an operator: the saga
          // continues, the order keeps its status.
          if (!(err instanceof DomainError && err.code === 'ILLEGAL_TRANSITION')) throw err;
        }
      }
      const saved = await sagas.saveIn(
        conn,
        owner,
        {
          orderId: record.orderId,
          phase: transition.state.phase,
          currentStep: currentStep(transition.state, steps),
          state: transition.state,
        },
        transition.delayMs,
      );
      // Lost the lease (we were too slow): roll back, the new holder redoes the idempotent step.
      if (!saved) throw new LeaseLost();
      return true;
    });
  }

  /** Runs the saga's steps until it finishes or waits; answers whether it saved any transition. */
  async function drive(initial: SagaRecord): Promise<boolean> {
    let record = initial;
    let saved = false;
    const order = await orders.get(record.orderId);
    if (!order) return saved;
    for (;;) {
      const action = nextAction(record.state, steps);
      if (action.kind === 'finished') break;
      const now = () => new Date();
      let transition: Transition;
      if (action.kind === 'step') {
        const outcome = await executor.step(action.step.name, order, record.state);
        transition = applyStepOutcome(record.state, steps, action.step.name, outcome, now(), randomUUID);
        logger.info(
          { orderId: order.id, step: action.step.name, outcome: outcome.kind, phase: transition.state.phase },
          'saga step',
        );
      } else {
        const outcome = await executor.compensate(action.name, order, record.state);
        transition = applyCompensationOutcome(record.state, action.name, outcome, now(), 30_000);
        logger.info(
          { orderId: order.id, compensation: action.name, outcome: outcome.kind },
          'saga compensation',
        );
      }
      await persist(record, transition);
      saved = true;
      record = { ...record, phase: transition.state.phase, state: transition.state };
      if (transition.orderStatus) order.status = transition.orderStatus.to;
      if (transition.delayMs !== 0) break;
    }
    if (record.phase === 'completed' || record.phase === 'compensated') options.onFinished?.(record);
    return saved;
  }

  // Sagas run side by side, each at its own pace: a payment the PSP holds for seconds must not stall the
  // others, so the loop claims more while earlier ones are still in flight, up to `batch` at once.
  const inFlight = new Set<Promise<void>>();
  const held = new Set<string>();
  const renewal = setInterval(
    () => {
      sagas
        .renew([...held], owner, options.leaseMs)
        .catch((err) => logger.warn({ err }, 'lease renewal failed'));
    },
    Math.max(100, Math.floor(options.leaseMs / 3)),
  );
  renewal.unref();

  // True when the last claim filled every free slot, so more sagas may be due than were taken.
  let backlog = false;

  async function claimAndLaunch(): Promise<Promise<void>[]> {
    const free = options.batch - inFlight.size;
    if (free <= 0 || stopped) return [];
    const due = await sagas.claimDue(owner, free, options.leaseMs);
    backlog = due.length === free;
    return due.map((record) => {
      held.add(record.orderId);
      let progressed = false;
      const work = drive(record)
        .then((saved) => {
          progressed = saved;
        })
        .catch((err) => {
          if (!(err instanceof LeaseLost)) logger.error({ err, orderId: record.orderId }, 'saga step failed');
        })
        .finally(() => {
          held.delete(record.orderId);
          return sagas.release(record.orderId, owner).catch(() => undefined);
        });
      inFlight.add(work);
      void work.finally(() => {
        inFlight.delete(work);
        // With a backlog, a freed slot is refilled now rather than at the next poll: otherwise a runner can
        // start at most `batch` sagas per poll interval, however fast they run. Only after a saga moved on
        // (it finished or waits for a retry): one that failed or moved nothing is due again at once, and
        // claiming it straight back would spin; it waits for the next poll as before.
        if (loop && backlog && progressed && !stopped)
          claim().catch((err) => logger.warn({ err }, 'saga runner could not claim sagas'));
      });
      return work;
    });
  }

  // Claims run one at a time, so each counts the slots the previous one filled and `batch` is never
  // exceeded; a claim asked for while one is queued (not yet started) joins it, since it will see every
  // slot freed until it starts.
  let chain: Promise<unknown> = Promise.resolve();
  let queued: Promise<Promise<void>[]> | undefined;
  function claim(): Promise<Promise<void>[]> {
    if (queued) return queued;
    const next = chain.then(() => {
      queued = undefined;
      return claimAndLaunch();
    });
    queued = next;
    chain = next.catch(() => undefined);
    return next;
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      claim()
        .catch((err) => logger.warn({ err }, 'saga runner could not claim sagas'))
        .finally(schedule);
    }, options.pollMs);
  };
  if (loop) schedule();

  return {
    async tick() {
      const launched = await claim();
      await Promise.all(launched);
      return launched.length;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      // A claim under way may still launch sagas; wait for it, then for everything in flight.
      await chain;
      await Promise.all([...inFlight]);
      clearInterval(renewal);
    },
  };
}

class LeaseLost extends Error {
  override name = 'LeaseLost';
}
