import { describe, expect, it } from 'vitest';
import {
  applyChanges,
  fromDoc,
  newProduct,
  normalizeSku,
  productDocId,
  revisionFromIfMatch,
  toDoc,
} from '../../src/domain/product.js';

const now = new Date('2026-06-30T12:00:00Z');
const input = {
  sku: ' tr-42 ',
  title: ' Trail Runner ',
  description: 'Light',
  category: 'running-shoes',
  attributes: { colour: 'blue' },
  region: 'eu-west' as const,
  availableRegions: ['us-east' as const, 'eu-west' as const, 'us-east' as const],
  status: 'draft' as const,
};

describe('identity', () => {
  it('upper-cases and trims SKUs, one document id per SKU', () => {
    expect(normalizeSku(' ab-1 ')).toBe('AB-1');
    expect(productDocId('ab-1')).toBe(productDocId('AB-1 '));
  });
});

describe('toDoc', () => {
  it('derives unique sort keys and search text, regions in the shop order without repeats', () => {
    const doc = toDoc(newProduct(input, now));
    expect(doc).toMatchObject({
      _id: 'product:TR-42',
      type: 'product',
      title: 'Trail Runner',
      availableRegions: ['eu-west', 'us-east'],
      titleKey: 'trail runner TR-42',
      updatedKey: '2026-06-30T12:00:00.000Z TR-42',
    });
    expect(doc.searchText).toContain('running-shoes');
    expect(doc._rev).toBeUndefined();
  });
});

describe('applyChanges', () => {
  it('changes only what is sent and moves updatedAt', () => {
    const before = newProduct(input, now);
    const later = new Date('2026-07-01T00:00:00Z');
    const after = applyChanges(before, { title: 'Trail Runner 2', status: undefined }, later);
    expect(after).toMatchObject({ title: 'Trail Runner 2', status: 'draft', updatedAt: later.toISOString() });
    expect(after.createdAt).toBe(before.createdAt);
  });
});

describe('fromDoc', () => {
  it('reads back what toDoc wrote', () => {
    const doc = { ...toDoc(newProduct(input, now)), _rev: '1-abc' };
    const read = fromDoc(doc);
    expect('product' in read && read.product).toMatchObject({ sku: 'TR-42', revision: '1-abc', media: [] });
  });

  it('names what is wrong with a drifted document instead of throwing', () => {
    const doc = { ...toDoc(newProduct(input, now)), _rev: '1-abc', region: 'mars', title: 7 };
    expect(fromDoc(doc)).toEqual({ problem: 'missing or not text: title' });
    expect(fromDoc({ ...doc, title: 'ok' })).toEqual({ problem: 'region "mars" is not a region' });
    expect(fromDoc({ _id: '_design/x' })).toEqual({ problem: 'not a product document' });
  });

  it('drops attribute values and media entries it cannot read', () => {
    const doc = {
      ...toDoc(newProduct(input, now)),
      _rev: '2-def',
      attributes: { ok: 1, nested: { no: true } },
      media: [{ id: 'x' }, { id: 'm', key: 'k', contentType: 'image/png', bytes: 1, uploadedAt: 'now' }],
    };
    const read = fromDoc(doc);
    expect('product' in read && read.product.attributes).toEqual({ ok: 1 });
    expect('product' in read && read.product.media.map((m) => m.id)).toEqual(['m']);
  });
});

describe('revisionFromIfMatch', () => {
  it.each([
    ['"1-abc"', '1-abc'],
    ['W/"12-0f"', '12-0f'],
    ['3-ff', '3-ff'],
    ['"*"', undefined],
    ['nonsense', undefined],
    [undefined, undefined],
  ])('reads %s as %s', (header, revision) => {
    expect(revisionFromIfMatch(header)).toBe(revision);
  });
});
