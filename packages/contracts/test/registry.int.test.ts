// Against the stack's real schema registry: the real subjects are registered (as the stack does at start)
// and never changed; every change under test goes to a throwaway subject, deleted afterwards.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkContract,
  checkContracts,
  createRegistry,
  decodeEvent,
  type EventOf,
  encodeEvent,
  loadContracts,
  registerContract,
  registerContracts,
  subjectVersions,
} from '../src/index.js';
import { contract, contractsDir, deleteSubject, registryUrl, throwawaySubject, variant } from './helper.js';

const contracts = loadContracts(contractsDir);
const throwaway: string[] = [];

function subjectFor(topic: string): string {
  const subject = throwawaySubject(topic);
  throwaway.push(subject);
  return subject;
}

beforeAll(async () => {
  await registerContracts(registryUrl, contracts);
});

afterAll(async () => {
  for (const subject of throwaway) await deleteSubject(subject);
});

const envelope = (aggregateId: string) => ({
  event_id: randomUUID(),
  occurred_at: Date.now(),
  aggregate_id: aggregateId,
  region: 'eu-west',
});

describe('registerContracts', () => {
  it('registers every contract under <topic>-value at BACKWARD_TRANSITIVE, idempotently', async () => {
    const before = await Promise.all(contracts.map((c) => subjectVersions(registryUrl, c.subject)));
    const again = await registerContracts(registryUrl, contracts);
    expect(again.every((r) => !r.created)).toBe(true);
    const after = await Promise.all(contracts.map((c) => subjectVersions(registryUrl, c.subject)));
    expect(after).toEqual(before);
    for (const c of contracts) {
      const res = await fetch(`${registryUrl}/config/${c.subject}`);
      expect(await res.json()).toMatchObject({ compatibilityLevel: 'BACKWARD_TRANSITIVE' });
    }
  });
});

describe('encodeEvent / decodeEvent', () => {
  const registry = createRegistry(registryUrl);

  it('round-trips order.created.v1 in the wire format', async () => {
    const event: EventOf<'order.created.v1'> = {
      ...envelope('o-1'),
      order_id: 'o-1',
      customer_id: 'c-1',
      checkout_id: 'k-1',
      lines: [
        { sku: 'SHOE-42', quantity: 2, unit_price_minor: 4999, line_total_minor: 9998 },
        { sku: 'SOCK-1', quantity: 1, unit_price_minor: 599, line_total_minor: 599 },
      ],
      subtotal_minor: 10_597,
      shipping_minor: 495,
      tax_minor: 0,
      total_minor: 11_092,
      currency: 'EUR',
    };
    const buffer = await encodeEvent(registry, 'order.created.v1', event);
    expect(buffer[0]).toBe(0);
    const ids = await fetch(`${registryUrl}/subjects/order.created.v1-value/versions/latest`);
    expect(buffer.readInt32BE(1)).toBe(((await ids.json()) as { id: number }).id);
    // A fresh client: the schema comes from the registry by id, not from a cache.
    const fresh = createRegistry(registryUrl);
    expect(await decodeEvent(fresh, buffer)).toEqual(event);
    expect(await decodeEvent(fresh, buffer, 'order.created.v1')).toEqual(event);
  });

  it('round-trips unions, maps and enums (catalog.product.upserted.v1, payment.failed.v1)', async () => {
    const product: EventOf<'catalog.product.upserted.v1'> = {
      ...envelope('SHOE-42'),
      sku: 'SHOE-42',
      title: 'Trail shoe',
      category: 'running-shoes',
      status: 'active',
      available_regions: ['eu-west', 'us-east'],
      attributes: { colour: 'blue', weight_kg: 0.31, waterproof: true },
      revision: '3-abc',
    };
    expect(
      await decodeEvent(registry, await encodeEvent(registry, 'catalog.product.upserted.v1', product)),
    ).toEqual(product);
    const failed: EventOf<'payment.failed.v1'> = {
      ...envelope('p-1'),
      payment_id: 'p-1',
      order_id: 'o-1',
      customer_id: 'c-1',
      amount_minor: 11_092,
      currency: 'EUR',
      operation: 'authorize',
      reason: 'insufficient_funds',
      detail: null,
      retryable: false,
    };
    const buffer = await encodeEvent(registry, 'payment.failed.v1', failed);
    expect(await decodeEvent(registry, buffer, 'payment.failed.v1')).toEqual(failed);
  });

  it('names the field when an event does not match its schema', async () => {
    const bad = { ...envelope('r-1'), reservation_id: 'r-1', order_id: 'o-1', sku: 'S', warehouse_id: 'w' };
    await expect(
      encodeEvent(registry, 'inventory.reserved.v1', bad as unknown as EventOf<'inventory.reserved.v1'>),
    ).rejects.toThrow(
      'event does not match the schema of inventory.reserved.v1: invalid at quantity, expires_at',
    );
  });

  it('reads a newer writer through this build’s schema: unknown enum symbols become `unknown`', async () => {
    // A later version of order.status.changed.v1 as another service might write it: a new status and field.
    const newer = variant(contract('order.status.changed.v1'), (schema) => {
      const from = schema.fields.find((f) => f.name === 'from_status')!;
      (from.type as { symbols: string[] }).symbols.push('on_hold');
      schema.fields.push({ name: 'hold_reason', type: ['null', 'string'], default: null });
    });
    const subject = subjectFor('order.status.changed.v1');
    const { id } = await registerContract(registryUrl, newer, subject);
    const written = await registry.encode(id, {
      ...envelope('o-1'),
      order_id: 'o-1',
      customer_id: 'c-1',
      from_status: 'pending',
      to_status: 'on_hold',
      reason: null,
      hold_reason: 'manual review',
    });
    const read = await decodeEvent(registry, written, 'order.status.changed.v1');
    expect(read.to_status).toBe('unknown');
    expect(read.from_status).toBe('pending');
    expect(read).not.toHaveProperty('hold_reason');
    // Without a topic the writer's schema speaks.
    expect(await decodeEvent(registry, written)).toMatchObject({
      to_status: 'on_hold',
      hold_reason: 'manual review',
    });
  });
});

describe('checkContract', () => {
  it('passes every contract of the working tree', async () => {
    const results = await checkContracts(registryUrl, contracts);
    expect(results.filter((r) => r.verdict === 'incompatible')).toEqual([]);
    expect(results.map((r) => r.verdict)).toEqual(contracts.map(() => 'unchanged'));
  });

  it('counts a subject that is not registered yet as new', async () => {
    const result = await checkContract(
      registryUrl,
      contract('order.created.v1'),
      subjectFor('order.created.v1'),
    );
    expect(result.verdict).toBe('new');
  });

  it('fails a new field without a default, naming the subject and the field', async () => {
    const subject = subjectFor('order.created.v1');
    await registerContract(registryUrl, contract('order.created.v1'), subject);
    const changed = variant(contract('order.created.v1'), (s) => {
      s.fields.push({ name: 'coupon_code', type: 'string' });
    });
    const result = await checkContract(registryUrl, changed, subject);
    expect(result).toMatchObject({ subject, verdict: 'incompatible' });
    expect(result.reasons.join('\n')).toMatch(/coupon_code/);
    expect(await subjectVersions(registryUrl, subject)).toHaveLength(1);
  });

  it('passes a new field with a default, and registering it adds a version', async () => {
    const subject = subjectFor('order.created.v1');
    await registerContract(registryUrl, contract('order.created.v1'), subject);
    const changed = variant(contract('order.created.v1'), (s) => {
      s.fields.push({ name: 'coupon_code', type: ['null', 'string'], default: null });
    });
    expect(await checkContract(registryUrl, changed, subject)).toMatchObject({
      verdict: 'compatible',
      reasons: [],
    });
    expect(await registerContract(registryUrl, changed, subject)).toMatchObject({ created: true });
    expect(await checkContract(registryUrl, changed, subject)).toMatchObject({ verdict: 'unchanged' });
  });

  it('checks against every registered version, not only the latest', async () => {
    const subject = subjectFor('payment.voided.v1');
    const base = contract('payment.voided.v1');
    await registerContract(registryUrl, base, subject);
    const withDefault = variant(base, (s) => {
      s.fields.push({ name: 'voided_by', type: 'string', default: 'system' });
    });
    await registerContract(registryUrl, withDefault, subject);
    // Reads version 2's data, but not version 1's, which has no voided_by.
    const noDefault = variant(base, (s) => {
      s.fields.push({ name: 'voided_by', type: 'string' });
    });
    const result = await checkContract(registryUrl, noDefault, subject);
    expect(result.verdict).toBe('incompatible');
    expect(result.reasons.join('\n')).toMatch(/version 1: .*voided_by/);
    // The registry refuses it too: check and register agree.
    await expect(registerContract(registryUrl, noDefault, subject)).rejects.toThrow(/409/);
  });
});
