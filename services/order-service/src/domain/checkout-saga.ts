// The checkout saga as data and pure transitions: which step comes next, what an outcome does to the state,
// which compensations undo a failure. No I/O here: src/saga/ performs the calls and persists the state this
// module computes, so every rule below is unit-tested without servers.
import type { OrderStatus } from './order.js';

export type SagaMode = 'broken' | 'fixed';
export type StepName = 'reserve' | 'authorize' | 'commit' | 'capture' | 'confirm';
export type CompensationName = 'release' | 'void' | 'refund' | 'cancel';
export type StepStatus = 'pending' | 'done' | 'failed';

export interface StepDefinition {
  name: StepName;
  /** What undoes this step once it was attempted; null where nothing can (or needs to) be undone. */
  compensation: Exclude<CompensationName, 'cancel'> | null;
  /** The order status once the step is done; null when the step does not move the order. */
  orderStatus: OrderStatus | null;
  /** The step's deadline after its first attempt; past it, a step still failing transiently has failed. */
  timeoutMs: number;
}

export interface StepTimeouts {
  authorizeMs: number;
  defaultMs: number;
}

/** The checkout saga: forward steps in order, each paired with its compensation. */
export function checkoutSteps(timeouts: StepTimeouts): readonly StepDefinition[] {
  return [
    // Reserve every line's units in the order's region with a TTL; undone by releasing the reservations.
    { name: 'reserve', compensation: 'release', orderStatus: 'reserved', timeoutMs: timeouts.defaultMs },
    // Authorize the total with the PSP (which may hold it); undone by voiding the authorization.
    { name: 'authorize', compensation: 'void', orderStatus: 'paid', timeoutMs: timeouts.authorizeMs },
    // Commit the reservations: the units are sold. Fixed mode refuses an expired reservation; broken does not.
    { name: 'commit', compensation: null, orderStatus: null, timeoutMs: timeouts.defaultMs },
    // Capture the authorized amount; undone by refunding it.
    { name: 'capture', compensation: 'refund', orderStatus: null, timeoutMs: timeouts.defaultMs },
    // Confirm the order; the point of no return, so nothing compensates it.
    { name: 'confirm', compensation: null, orderStatus: 'confirmed', timeoutMs: timeouts.defaultMs },
  ];
}

export interface ReservationRef {
  sku: string;
  quantity: number;
  /** Chosen by the saga before the call, so a retried reserve lands on the same reservation. */
  id: string;
}

export interface StepState {
  status: StepStatus;
  attempts: number;
  /** ISO instant; set on the first attempt. */
  deadline: string | null;
  error: string | null;
}

export interface CompensationState {
  name: CompensationName;
  status: 'pending' | 'done';
  attempts: number;
  deadline: string | null;
  error: string | null;
}

export interface SagaState {
  phase: 'forward' | 'compensating' | 'completed' | 'compensated';
  mode: SagaMode;
  /** Why the saga compensated (payment_declined, reservation_expired, out_of_stock, <step>_timeout). */
  reason: string | null;
  steps: Record<StepName, StepState>;
  compensations: CompensationState[];
  /** Reservation lifetime asked of inventory. */
  ttlSeconds: number;
  reservations: ReservationRef[];
  /** Re-reservations made after a commit found the reservation expired (fixed mode). */
  reReservations: number;
  paymentId: string | null;
  /** Whether the PSP took the money, so a compensation must refund rather than void. */
  captured: boolean;
  refunded: boolean;
  /** Units the commit sold beyond stock (broken mode only); reported by inventory. */
  oversoldUnits: number;
  /** PSP mock controls forwarded with the authorization (scenarios hold payments past the TTL). */
  psp: Record<string, unknown> | null;
}

export type StepOutcome =
  /** The step succeeded; `patch` records what it learned. */
  | {
      kind: 'done';
      patch?: Partial<Pick<SagaState, 'paymentId' | 'captured' | 'refunded' | 'oversoldUnits'>>;
    }
  /** The dependency did not answer usefully (outage, timeout, 5xx): try again until the deadline. */
  | { kind: 'retry'; error: string }
  /** The dependency refused for good: compensate with this reason. */
  | { kind: 'failed'; error: string; reason: string }
  /** The commit found a reservation expired (fixed mode): re-reserve once, else compensate. */
  | { kind: 'expired'; error: string };

export type NextAction =
  | { kind: 'step'; step: StepDefinition }
  | { kind: 'compensate'; name: CompensationName }
  | { kind: 'finished' };

/** Re-reservations a fixed-mode commit may make before the saga gives up and compensates. */
export const MAX_RE_RESERVATIONS = 1;

const pendingStep = (): StepState => ({ status: 'pending', attempts: 0, deadline: null, error: null });

/** A new saga for an order, every step pending. */
export function startSaga(input: {
  mode: SagaMode;
  ttlSeconds: number;
  lines: { sku: string; quantity: number }[];
  newId: () => string;
  psp?: Record<string, unknown> | null;
}): SagaState {
  return {
    phase: 'forward',
    mode: input.mode,
    reason: null,
    steps: {
      reserve: pendingStep(),
      authorize: pendingStep(),
      commit: pendingStep(),
      capture: pendingStep(),
      confirm: pendingStep(),
    },
    compensations: [],
    ttlSeconds: input.ttlSeconds,
    reservations: input.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, id: input.newId() })),
    reReservations: 0,
    paymentId: null,
    captured: false,
    refunded: false,
    oversoldUnits: 0,
    psp: input.psp ?? null,
  };
}

/** What the runner should do next: the first forward step not done, the first pending compensation, or nothing. */
export function nextAction(state: SagaState, steps: readonly StepDefinition[]): NextAction {
  if (state.phase === 'forward') {
    const step = steps.find((s) => state.steps[s.name].status !== 'done');
    return step ? { kind: 'step', step } : { kind: 'finished' };
  }
  if (state.phase === 'compensating') {
    const comp = state.compensations.find((c) => c.status === 'pending');
    return comp ? { kind: 'compensate', name: comp.name } : { kind: 'finished' };
  }
  return { kind: 'finished' };
}

/**
 * The compensations for a failure, newest step first, then cancelling the order. Every step that was
 * attempted is undone, not only those known done: a timed-out call may have succeeded at the dependency,
 * and every compensation is safe when there is nothing to undo.
 */
export function compensationsFor(state: SagaState, steps: readonly StepDefinition[]): CompensationName[] {
  const names: CompensationName[] = [];
  for (const step of [...steps].reverse()) {
    const s = state.steps[step.name];
    if (step.compensation && (s.status === 'done' || s.attempts > 0)) names.push(step.compensation);
  }
  // Money captured is refunded, so voiding the same payment afterwards would only be refused.
  if (names.includes('refund')) return [...names.filter((n) => n !== 'void'), 'cancel'];
  return [...names, 'cancel'];
}

export interface Transition {
  state: SagaState;
  /** The order status the change implies, with its reason; the runner writes it in the same transaction. */
  orderStatus: { to: OrderStatus; reason: string | null } | null;
  /** When to run again: 0 = at once, null = never (the saga has finished). */
  delayMs: number | null;
}

/** Backoff between attempts of a step: 200 ms doubling up to 5 s. */
export function retryDelayMs(attempts: number): number {
  return Math.min(5000, 200 * 2 ** Math.max(0, attempts - 1));
}

function clone(state: SagaState): SagaState {
  return structuredClone(state);
}

function beginCompensation(state: SagaState, steps: readonly StepDefinition[], reason: string): Transition {
  const next = clone(state);
  next.phase = 'compensating';
  next.reason = reason;
  next.compensations = compensationsFor(next, steps).map((name) => ({
    name,
    status: 'pending',
    attempts: 0,
    deadline: null,
    error: null,
  }));
  return { state: next, orderStatus: null, delayMs: 0 };
}

/** Applies the outcome of a forward step. `newId` mints reservation ids for a re-reservation. */
export function applyStepOutcome(
  state: SagaState,
  steps: readonly StepDefinition[],
  name: StepName,
  outcome: StepOutcome,
  now: Date,
  newId: () => string,
): Transition {
  const definition = steps.find((s) => s.name === name);
  if (!definition) throw new Error(`unknown step ${name}`);
  if (state.phase !== 'forward') throw new Error(`step ${name} outcome while ${state.phase}`);
  const next = clone(state);
  const step = next.steps[name];
  step.attempts += 1;
  step.deadline ??= new Date(now.getTime() + definition.timeoutMs).toISOString();
  switch (outcome.kind) {
    case 'done': {
      step.status = 'done';
      step.error = null;
      Object.assign(next, outcome.patch ?? {});
      const after = nextAction(next, steps);
      if (after.kind === 'finished') next.phase = 'completed';
      return {
        state: next,
        orderStatus: definition.orderStatus ? { to: definition.orderStatus, reason: null } : null,
        delayMs: next.phase === 'completed' ? null : 0,
      };
    }
    case 'retry': {
      step.error = outcome.error;
      if (now.getTime() >= Date.parse(step.deadline)) {
        step.status = 'failed';
        return beginCompensation(next, steps, `${name}_timeout`);
      }
      return { state: next, orderStatus: null, delayMs: retryDelayMs(step.attempts) };
    }
    case 'failed': {
      step.status = 'failed';
      step.error = outcome.error;
      // A re-reservation that finds no stock fails because the first reservation expired: name the cause.
      const reason = name === 'reserve' && next.reReservations > 0 ? 'reservation_expired' : outcome.reason;
      return beginCompensation(next, steps, reason);
    }
    case 'expired': {
      step.error = outcome.error;
      if (name !== 'commit' || next.reReservations >= MAX_RE_RESERVATIONS) {
        step.status = 'failed';
        return beginCompensation(next, steps, 'reservation_expired');
      }
      // Reserve again under fresh ids (the expired ones are spent), then commit those; the payment stays
      // authorized meanwhile. The old reservations are already expired, so nothing needs releasing.
      next.reReservations += 1;
      next.reservations = next.reservations.map((r) => ({ ...r, id: newId() }));
      next.steps.reserve = pendingStep();
      step.status = 'pending';
      step.attempts = 0;
      step.deadline = null;
      return { state: next, orderStatus: null, delayMs: 0 };
    }
  }
}

/**
 * Applies the outcome of a compensation. Compensations never give up (money or stock would stay held):
 * a transient failure is retried with backoff for as long as it takes; `failed` is not an outcome here.
 */
export function applyCompensationOutcome(
  state: SagaState,
  name: CompensationName,
  outcome: Exclude<StepOutcome, { kind: 'failed' } | { kind: 'expired' }>,
  now: Date,
  timeoutMs: number,
): Transition {
  if (state.phase !== 'compensating') throw new Error(`compensation ${name} while ${state.phase}`);
  const next = clone(state);
  const comp = next.compensations.find((c) => c.name === name && c.status === 'pending');
  if (!comp) throw new Error(`no pending compensation ${name}`);
  comp.attempts += 1;
  comp.deadline ??= new Date(now.getTime() + timeoutMs).toISOString();
  if (outcome.kind === 'retry') {
    comp.error = outcome.error;
    return { state: next, orderStatus: null, delayMs: retryDelayMs(comp.attempts) };
  }
  comp.status = 'done';
  comp.error = null;
  Object.assign(next, outcome.patch ?? {});
  if (name === 'cancel') {
    next.phase = 'compensated';
    // Money that was taken and given back makes the order refunded; otherwise nothing was charged.
    return {
      state: next,
      orderStatus: { to: next.refunded ? 'refunded' : 'cancelled', reason: next.reason },
      delayMs: null,
    };
  }
  return { state: next, orderStatus: null, delayMs: 0 };
}

/** The commit call's `check` switch for a mode: only fixed mode asks inventory to verify the reservation. */
export function commitChecks(mode: SagaMode): boolean {
  return mode === 'fixed';
}

/** A one-line summary for listings and reports. */
export function currentStep(state: SagaState, steps: readonly StepDefinition[]): string | null {
  const action = nextAction(state, steps);
  if (action.kind === 'step') return action.step.name;
  if (action.kind === 'compensate') return action.name;
  return null;
}
