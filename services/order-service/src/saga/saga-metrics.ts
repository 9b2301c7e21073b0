import { Counter, type Registry } from 'prom-client';
import type { SagaRecord } from '../db/saga-repository.js';

function counter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: L[],
): Counter<L> {
  // Two runners on one app (tests) share the series; registering a name twice would throw.
  return (
    (registry.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter({ name, help, labelNames, registers: [registry] })
  );
}

/** Counts finished sagas and the oversold units their commits reported: the incident's signals. */
export function sagaMetrics(registry: Registry): (record: SagaRecord) => void {
  const finished = counter(
    registry,
    'checkout_sagas_finished_total',
    'Checkout sagas that finished, by mode, outcome (completed or compensated) and reason',
    ['mode', 'outcome', 'reason'],
  );
  const oversold = counter(
    registry,
    'checkout_oversold_units_total',
    'Units inventory reported sold beyond stock by saga commits (broken mode)',
    ['mode'],
  );
  return (record) => {
    finished.inc({ mode: record.mode, outcome: record.phase, reason: record.state.reason ?? 'none' });
    if (record.state.oversoldUnits > 0) oversold.inc({ mode: record.mode }, record.state.oversoldUnits);
  };
}
