import { describe, expect, it } from 'vitest';
import {
  applyCompensationOutcome,
  applyStepOutcome,
  checkoutSteps,
  commitChecks,
  compensationsFor,
  currentStep,
  MAX_RE_RESERVATIONS,
  nextAction,
  retryDelayMs,
  type SagaState,
  type StepName,
  type StepOutcome,
  startSaga,
  type Transition,
} from '../../src/domain/checkout-saga.js';

const steps = checkoutSteps({ authorizeMs: 60_000, defaultMs: 10_000 });
const t0 = new Date('2026-01-01T00:00:00Z');
let counter = 0;
const newId = () => `id-${++counter}`;

function fresh(mode: 'broken' | 'fixed' = 'fixed'): SagaState {
  return startSaga({
    mode,
    ttlSeconds: 5,
    lines: [
      { sku: 'A', quantity: 2 },
      { sku: 'B', quantity: 1 },
    ],
    newId,
  });
}

function step(state: SagaState, name: StepName, outcome: StepOutcome, now = t0): Transition {
  return applyStepOutcome(state, steps, name, outcome, now, newId);
}

/** Runs forward steps with `done` until `until` is next. */
function advanceTo(state: SagaState, until: StepName): SagaState {
  let s = state;
  for (;;) {
    const action = nextAction(s, steps);
    if (action.kind !== 'step' || action.step.name === until) return s;
    s = step(s, action.step.name, { kind: 'done' }).state;
  }
}

/** Completes every pending compensation with `done`; answers their names in order and the last transition. */
function compensateAll(state: SagaState): { names: string[]; last: Transition | null } {
  let s = state;
  const names: string[] = [];
  let last: Transition | null = null;
  for (;;) {
    const action = nextAction(s, steps);
    if (action.kind !== 'compensate') return { names, last };
    names.push(action.name);
    last = applyCompensationOutcome(s, action.name, { kind: 'done' }, t0, 30_000);
    s = last.state;
  }
}

describe('checkout saga definition', () => {
  it('lists the steps in order, each with its compensation', () => {
    expect(steps.map((s) => [s.name, s.compensation])).toEqual([
      ['reserve', 'release'],
      ['authorize', 'void'],
      ['commit', null],
      ['capture', 'refund'],
      ['confirm', null],
    ]);
    expect(steps.find((s) => s.name === 'authorize')?.timeoutMs).toBe(60_000);
  });

  it('starts forward at reserve with one reservation id per line', () => {
    const s = fresh();
    expect(s.phase).toBe('forward');
    expect(currentStep(s, steps)).toBe('reserve');
    expect(s.reservations.map((r) => r.sku)).toEqual(['A', 'B']);
    expect(new Set(s.reservations.map((r) => r.id)).size).toBe(2);
  });

  it('asks inventory to check the reservation only in fixed mode', () => {
    expect(commitChecks('fixed')).toBe(true);
    expect(commitChecks('broken')).toBe(false);
  });
});

describe('forward steps', () => {
  it('walks the happy path, moving the order reserved → paid → confirmed', () => {
    let s = fresh();
    const statuses: (string | null)[] = [];
    for (const name of ['reserve', 'authorize', 'commit', 'capture', 'confirm'] as const) {
      expect(currentStep(s, steps)).toBe(name);
      const patch =
        name === 'authorize' ? { paymentId: 'p-1' } : name === 'capture' ? { captured: true } : {};
      const t = step(s, name, { kind: 'done', patch });
      statuses.push(t.orderStatus?.to ?? null);
      s = t.state;
      expect(t.delayMs).toBe(name === 'confirm' ? null : 0);
    }
    expect(statuses).toEqual(['reserved', 'paid', null, null, 'confirmed']);
    expect(s.phase).toBe('completed');
    expect(s.paymentId).toBe('p-1');
    expect(s.captured).toBe(true);
    expect(nextAction(s, steps)).toEqual({ kind: 'finished' });
  });

  it('does not mutate the state it is given', () => {
    const s = fresh();
    const before = structuredClone(s);
    step(s, 'reserve', { kind: 'done' });
    expect(s).toEqual(before);
  });

  it('sets the deadline on the first attempt and retries with growing backoff', () => {
    const s = fresh();
    const t1 = step(s, 'reserve', { kind: 'retry', error: 'inventory is unavailable' });
    expect(t1.state.steps.reserve).toMatchObject({
      status: 'pending',
      attempts: 1,
      deadline: '2026-01-01T00:00:10.000Z',
    });
    expect(t1.delayMs).toBe(200);
    const t2 = step(t1.state, 'reserve', { kind: 'retry', error: 'again' }, new Date(t0.getTime() + 1000));
    expect(t2.state.steps.reserve.attempts).toBe(2);
    expect(t2.state.steps.reserve.deadline).toBe('2026-01-01T00:00:10.000Z');
    expect(t2.delayMs).toBe(400);
    expect(retryDelayMs(20)).toBe(5000);
  });

  it('fails a step still retrying at its deadline and compensates with <step>_timeout', () => {
    let s = advanceTo(fresh(), 'authorize');
    s = step(s, 'authorize', { kind: 'retry', error: 'held' }).state;
    const t = step(s, 'authorize', { kind: 'retry', error: 'held' }, new Date(t0.getTime() + 60_000));
    expect(t.state.phase).toBe('compensating');
    expect(t.state.reason).toBe('authorize_timeout');
    expect(t.state.steps.authorize.status).toBe('failed');
    // The authorization may have gone through at the PSP: it is voided as well as the reservation released.
    expect(t.state.compensations.map((c) => c.name)).toEqual(['void', 'release', 'cancel']);
  });
});

describe('failures and compensations', () => {
  it('out of stock at reserve: releases what may have been reserved, then cancels', () => {
    const t = step(fresh(), 'reserve', { kind: 'failed', error: 'A: 409', reason: 'out_of_stock' });
    expect(t.state.phase).toBe('compensating');
    const { names, last } = compensateAll(t.state);
    expect(names).toEqual(['release', 'cancel']);
    expect(last?.orderStatus).toEqual({ to: 'cancelled', reason: 'out_of_stock' });
    expect(last?.state.phase).toBe('compensated');
    expect(last?.delayMs).toBeNull();
  });

  it('declined payment: voids (nothing to void is fine), releases, cancels', () => {
    const s = advanceTo(fresh(), 'authorize');
    const t = step(s, 'authorize', { kind: 'failed', error: 'declined', reason: 'payment_declined' });
    const { names, last } = compensateAll(t.state);
    expect(names).toEqual(['void', 'release', 'cancel']);
    expect(last?.orderStatus).toEqual({ to: 'cancelled', reason: 'payment_declined' });
  });

  it('a failed capture refunds instead of voiding, and the order ends refunded when money came back', () => {
    let s = advanceTo(fresh(), 'authorize');
    s = step(s, 'authorize', { kind: 'done', patch: { paymentId: 'p' } }).state;
    s = step(s, 'commit', { kind: 'done' }).state;
    const t = step(s, 'capture', { kind: 'failed', error: '409', reason: 'capture_refused' });
    expect(t.state.compensations.map((c) => c.name)).toEqual(['refund', 'release', 'cancel']);
    let c = applyCompensationOutcome(
      t.state,
      'refund',
      { kind: 'done', patch: { refunded: true } },
      t0,
      30_000,
    );
    c = applyCompensationOutcome(c.state, 'release', { kind: 'done' }, t0, 30_000);
    c = applyCompensationOutcome(c.state, 'cancel', { kind: 'done' }, t0, 30_000);
    expect(c.orderStatus).toEqual({ to: 'refunded', reason: 'capture_refused' });
  });

  it('compensations retry for ever with backoff and keep their order', () => {
    const t = step(fresh(), 'reserve', { kind: 'failed', error: 'x', reason: 'out_of_stock' });
    let s = t.state;
    for (let i = 1; i <= 10; i++) {
      const r = applyCompensationOutcome(s, 'release', { kind: 'retry', error: 'down' }, t0, 30_000);
      expect(r.delayMs).toBe(retryDelayMs(i));
      expect(r.state.phase).toBe('compensating');
      s = r.state;
    }
    expect(nextAction(s, steps)).toEqual({ kind: 'compensate', name: 'release' });
  });

  it('only undoes steps that were attempted', () => {
    const s = fresh();
    expect(compensationsFor(s, steps)).toEqual(['cancel']);
    const tried = step(s, 'reserve', { kind: 'retry', error: 'x' }).state;
    expect(compensationsFor(tried, steps)).toEqual(['release', 'cancel']);
  });

  it('refuses outcomes for the wrong phase', () => {
    const s = fresh();
    expect(() => applyCompensationOutcome(s, 'release', { kind: 'done' }, t0, 1)).toThrow(/forward/);
    const comp = step(s, 'reserve', { kind: 'failed', error: 'x', reason: 'out_of_stock' }).state;
    expect(() => step(comp, 'authorize', { kind: 'done' })).toThrow(/compensating/);
  });
});

describe('commit after the reservation expired (the oversell incident)', () => {
  function atCommit(mode: 'broken' | 'fixed'): SagaState {
    let s = advanceTo(fresh(mode), 'authorize');
    s = step(s, 'authorize', { kind: 'done', patch: { paymentId: 'p' } }).state;
    expect(currentStep(s, steps)).toBe('commit');
    return s;
  }

  it('broken mode records the oversold units inventory reports and completes', () => {
    let s = atCommit('broken');
    s = step(s, 'commit', { kind: 'done', patch: { oversoldUnits: 2 } }).state;
    s = step(s, 'capture', { kind: 'done', patch: { captured: true } }).state;
    const t = step(s, 'confirm', { kind: 'done' });
    expect(t.state.phase).toBe('completed');
    expect(t.state.oversoldUnits).toBe(2);
  });

  it('fixed mode re-reserves under fresh ids, keeps the authorization, then commits those', () => {
    const s = atCommit('fixed');
    const oldIds = s.reservations.map((r) => r.id);
    const t = step(s, 'commit', { kind: 'expired', error: 'RESERVATION_EXPIRED' });
    expect(t.state.phase).toBe('forward');
    expect(t.state.reReservations).toBe(1);
    expect(t.state.reservations.map((r) => r.id).some((id) => oldIds.includes(id))).toBe(false);
    expect(t.state.steps.authorize.status).toBe('done');
    expect(currentStep(t.state, steps)).toBe('reserve');
    let next = step(t.state, 'reserve', { kind: 'done' });
    expect(currentStep(next.state, steps)).toBe('commit');
    next = step(next.state, 'commit', { kind: 'done' });
    expect(currentStep(next.state, steps)).toBe('capture');
  });

  it('fixed mode voids the payment and cancels when the re-reservation finds no stock', () => {
    let s = step(atCommit('fixed'), 'commit', { kind: 'expired', error: 'expired' }).state;
    const t = step(s, 'reserve', { kind: 'failed', error: 'INSUFFICIENT_STOCK', reason: 'out_of_stock' });
    s = t.state;
    const { names, last } = compensateAll(s);
    expect(names).toEqual(['void', 'release', 'cancel']);
    expect(last?.orderStatus).toEqual({ to: 'cancelled', reason: 'reservation_expired' });
  });

  it(`fixed mode gives up after ${MAX_RE_RESERVATIONS} re-reservation(s) with reservation_expired`, () => {
    let s = atCommit('fixed');
    for (let i = 0; i < MAX_RE_RESERVATIONS; i++) {
      s = step(s, 'commit', { kind: 'expired', error: 'expired' }).state;
      s = step(s, 'reserve', { kind: 'done' }).state;
    }
    const t = step(s, 'commit', { kind: 'expired', error: 'expired' });
    expect(t.state.phase).toBe('compensating');
    expect(t.state.reason).toBe('reservation_expired');
    expect(t.state.compensations.map((c) => c.name)).toEqual(['void', 'release', 'cancel']);
  });
});
