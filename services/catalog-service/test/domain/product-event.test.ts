import { describe, expect, it } from 'vitest';
import { newProduct, toDoc } from '../../src/domain/product.js';
import { eventIdOf, judgeEntry } from '../../src/domain/product-event.js';

const doc = {
  ...toDoc(
    newProduct(
      {
        sku: 'TR-1',
        title: 'Trail',
        description: '',
        category: 'shoes',
        attributes: { size: 42 },
        region: 'us-east',
        availableRegions: ['us-east'],
        status: 'active',
      },
      new Date('2026-06-30T12:00:00Z'),
    ),
  ),
  _rev: '3-abc',
};

describe('eventIdOf', () => {
  it('is a stable UUID per SKU and revision', () => {
    expect(eventIdOf('TR-1', '3-abc')).toBe(eventIdOf('TR-1', '3-abc'));
    expect(eventIdOf('TR-1', '4-abc')).not.toBe(eventIdOf('TR-1', '3-abc'));
    expect(eventIdOf('TR-1', '3-abc')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

describe('judgeEntry', () => {
  it('publishes a product revision as the contract record', () => {
    const verdict = judgeEntry({ id: doc._id, doc });
    expect(verdict).toEqual({
      action: 'publish',
      record: {
        event_id: eventIdOf('TR-1', '3-abc'),
        occurred_at: Date.parse('2026-06-30T12:00:00Z'),
        aggregate_id: 'TR-1',
        region: 'us-east',
        sku: 'TR-1',
        title: 'Trail',
        category: 'shoes',
        status: 'active',
        available_regions: ['us-east'],
        attributes: { size: 42 },
        revision: '3-abc',
      },
    });
  });

  it('skips design documents and deletions, and rejects a drifted product with the reason', () => {
    expect(judgeEntry({ id: '_design/catalog', doc: {} })).toEqual({
      action: 'skip',
      reason: 'not a product',
    });
    expect(judgeEntry({ id: doc._id, deleted: true })).toEqual({ action: 'skip', reason: 'deleted' });
    expect(judgeEntry({ id: doc._id, doc: { ...doc, status: 'live' } })).toEqual({
      action: 'reject',
      reason: 'status "live" is not a status',
    });
  });
});
