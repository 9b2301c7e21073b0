import { describe, expect, it } from 'vitest';
import { fingerprint } from '../src/index.js';

describe('fingerprint', () => {
  it('ignores key order but not values', () => {
    const a = fingerprint({ params: { id: '1' }, body: { a: 1, b: { c: 2, d: 3 } } });
    const b = fingerprint({ params: { id: '1' }, body: { b: { d: 3, c: 2 }, a: 1 } });
    const c = fingerprint({ params: { id: '1' }, body: { a: 1, b: { c: 2, d: 4 } } });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('tells apart the same body sent to different resources', () => {
    expect(fingerprint({ params: { id: '1' }, body: {} })).not.toBe(
      fingerprint({ params: { id: '2' }, body: {} }),
    );
  });
});
