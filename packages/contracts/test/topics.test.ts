import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  conventionProblems,
  type EventOf,
  isTopic,
  loadContracts,
  type OrderCreated,
  recordNameOf,
  schemaOf,
  schemaText,
  subjectOf,
  type Topic,
  topicPattern,
  topics,
} from '../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const contractsDir = path.join(here, '../../../schema-contracts');

describe('topics', () => {
  it('lists one topic per schema file, sorted', () => {
    const files = loadContracts(contractsDir).map((c) => c.topic);
    expect([...topics]).toEqual(files);
    expect(topics).toContain('fulfillment.shipment.status.changed.v1');
    expect(topics).toHaveLength(24);
  });

  it('names every topic <domain>.<event>.v<N>', () => {
    for (const topic of topics) expect(topic).toMatch(topicPattern);
    expect(topicPattern.test('order.created.v1')).toBe(true);
    expect(topicPattern.test('order.created')).toBe(false);
    expect(topicPattern.test('Order.created.v1')).toBe(false);
    expect(topicPattern.test('order.v1')).toBe(false);
  });

  it('names the subject <topic>-value', () => {
    expect(subjectOf('order.created.v1')).toBe('order.created.v1-value');
    expectTypeOf(subjectOf('order.created.v1')).toEqualTypeOf<'order.created.v1-value'>();
  });

  it('narrows strings to topics', () => {
    expect(isTopic('payment.failed.v1')).toBe(true);
    expect(isTopic('payment.failed.v2')).toBe(false);
  });

  it('gives the schema of a topic exactly as its file has it', () => {
    for (const contract of loadContracts(contractsDir)) {
      expect(schemaText(schemaOf(contract.topic as Topic))).toBe(contract.text);
    }
  });

  it('types each topic with its record', () => {
    expectTypeOf<EventOf<'order.created.v1'>>().toEqualTypeOf<OrderCreated>();
    expectTypeOf<EventOf<'order.created.v1'>['total_minor']>().toEqualTypeOf<number>();
    expectTypeOf<EventOf<'order.status.changed.v1'>['to_status']>().toEqualTypeOf<
      | 'unknown'
      | 'pending'
      | 'inventory_reserved'
      | 'payment_authorized'
      | 'confirmed'
      | 'shipped'
      | 'delivered'
      | 'cancelled'
      | 'refunded'
    >();
  });

  it('derives record names from topics', () => {
    expect(recordNameOf('order.status.changed.v1')).toBe('OrderStatusChanged');
    expect(recordNameOf('order.created.v2')).toBe('OrderCreatedV2');
  });
});

describe('schema-contracts conventions', () => {
  it.each(loadContracts(contractsDir).map((c) => [c.topic, c] as const))(
    '%s follows them',
    (_topic, contract) => {
      expect(conventionProblems(contract)).toEqual([]);
    },
  );

  it('catches money as a float, a missing envelope field and a wrong name', () => {
    const problems = conventionProblems({
      topic: 'order.created.v1',
      schema: {
        type: 'record',
        name: 'Created',
        namespace: 'shop.orders',
        fields: [
          { name: 'event_id', type: 'string' },
          { name: 'occurred_at', type: 'string' },
          { name: 'region', type: 'string' },
          { name: 'total_minor', type: 'double' },
        ],
      },
    });
    expect(problems).toEqual([
      'record name is Created, expected OrderCreated',
      'namespace is shop.orders, expected shop.order',
      'envelope field occurred_at has the wrong type',
      'missing envelope field aggregate_id',
      'total_minor: money must be a long of minor units, not double',
      'amounts in minor units need a top-level currency string (ISO 4217)',
    ]);
  });

  it('refuses a file whose name is not a topic, or whose content is not Avro', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'contracts-'));
    writeFileSync(path.join(dir, 'order-created.avsc'), '{}');
    expect(() => loadContracts(dir)).toThrow(/order-created.avsc: file name is not/);
    const bad = mkdtempSync(path.join(tmpdir(), 'contracts-'));
    writeFileSync(
      path.join(bad, 'order.created.v1.avsc'),
      '{"type":"record","name":"X","fields":[{"name":"a"}]}',
    );
    expect(() => loadContracts(bad)).toThrow(/order.created.v1.avsc: not a valid Avro schema/);
  });
});
