import { createHash } from 'node:crypto';
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

  it('with a key, is neither the plain hash of the request nor the same under another key', () => {
    const request = { params: {}, body: { card: { number: '4242424242424242' } } };
    const plain = createHash('sha256')
      .update('{"body":{"card":{"number":"4242424242424242"}},"params":{}}')
      .digest('hex');
    expect(fingerprint(request)).toBe(plain);
    const keyed = fingerprint(request, 'k'.repeat(32));
    expect(keyed).not.toBe(plain);
    expect(keyed).toBe(fingerprint(request, 'k'.repeat(32)));
    expect(keyed).not.toBe(fingerprint(request, 'j'.repeat(32)));
  });
});
