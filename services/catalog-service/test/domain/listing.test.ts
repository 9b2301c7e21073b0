import { describe, expect, it } from 'vitest';
import {
  decodeCursor,
  encodeCursor,
  listingIndexes,
  literalPattern,
  pageOf,
  planListing,
} from '../../src/domain/listing.js';

describe('listingIndexes', () => {
  it('has one index per combination of status, category and sort, each led by type', () => {
    expect(listingIndexes).toHaveLength(12);
    expect(new Set(listingIndexes.map((i) => i.name)).size).toBe(12);
    expect(listingIndexes.every((i) => i.fields[0] === 'type')).toBe(true);
  });
});

describe('planListing', () => {
  it('uses the index for its equality fields and sort, asking one extra item', () => {
    const q = planListing({ filter: { status: 'active', category: 'shoes' }, sort: 'title', limit: 20 });
    expect(q.use_index).toEqual(['products-status-category-by-title', 'products-status-category-by-title']);
    expect(q.selector).toEqual({
      type: 'product',
      status: 'active',
      category: 'shoes',
      titleKey: { $gt: null },
    });
    expect(q.sort).toEqual([{ type: 'asc' }, { status: 'asc' }, { category: 'asc' }, { titleKey: 'asc' }]);
    expect(q.limit).toBe(21);
    expect(listingIndexes.map((i) => i.name)).toContain(q.use_index[0]);
  });

  it('continues inclusively after a cursor, downwards for newest first', () => {
    const q = planListing({ filter: {}, sort: 'newest', limit: 5, after: '2026 X' });
    expect(q.selector.updatedKey).toEqual({ $lte: '2026 X' });
    expect(q.sort.every((s) => Object.values(s)[0] === 'desc')).toBe(true);
    expect(q.limit).toBe(7);
  });

  it('filters region availability and literal text', () => {
    const q = planListing({ filter: { region: 'ap-south', text: 'A.B (x)' }, sort: 'sku', limit: 1 });
    expect(q.selector.availableRegions).toEqual({ $elemMatch: { $eq: 'ap-south' } });
    expect(q.selector.searchText).toEqual({ $regex: 'a\\.b \\(x\\)' });
  });
});

describe('literalPattern', () => {
  it('matches the text literally, case-insensitively against lower-cased text', () => {
    const re = new RegExp(literalPattern('C++ [v2]?'));
    expect(re.test('the c++ [v2]? book')).toBe(true);
    expect(re.test('c [v2]')).toBe(false);
  });
});

describe('pageOf', () => {
  const docs = ['a A', 'b B', 'c C', 'd D'].map((titleKey) => ({ titleKey, updatedKey: '', sku: '' }));

  it('returns limit items and the key to continue after', () => {
    expect(pageOf(docs.slice(0, 3), { filter: {}, sort: 'title', limit: 2 })).toEqual({
      items: docs.slice(0, 2),
      nextAfter: 'b B',
    });
  });

  it('drops the item the cursor points at and ends without a next key', () => {
    const page = pageOf(docs.slice(1), { filter: {}, sort: 'title', limit: 2, after: 'b B' });
    expect(page.items.map((d) => d.titleKey)).toEqual(['c C', 'd D']);
    expect(page.nextAfter).toBeUndefined();
  });
});

describe('cursors', () => {
  it('round-trip for their own sort only', () => {
    const cursor = encodeCursor('title', 'trail runner TR-1');
    expect(decodeCursor(cursor, 'title')).toBe('trail runner TR-1');
    expect(decodeCursor(cursor, 'sku')).toBeUndefined();
    expect(decodeCursor('not-a-cursor', 'title')).toBeUndefined();
  });
});
