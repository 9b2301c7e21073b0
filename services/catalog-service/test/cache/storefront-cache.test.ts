import { describe, expect, it } from 'vitest';
import { createResponseCache } from '../../src/cache/storefront-cache.js';

describe('createResponseCache', () => {
  it('answers until the TTL passes', () => {
    let t = 0;
    const cache = createResponseCache({ ttlMs: 100, maxEntries: 10, now: () => t });
    cache.set('q', Buffer.from('body'), cache.generation());
    expect(cache.get('q')?.toString()).toBe('body');
    t = 100;
    expect(cache.get('q')).toBeUndefined();
  });

  it('drops everything on invalidation and refuses a response computed before it', () => {
    const cache = createResponseCache({ ttlMs: 1000, maxEntries: 10 });
    cache.set('a', Buffer.from('1'), cache.generation());
    const started = cache.generation();
    cache.invalidate();
    expect(cache.get('a')).toBeUndefined();
    cache.set('b', Buffer.from('stale'), started);
    expect(cache.get('b')).toBeUndefined();
  });

  it('evicts the oldest entry when full', () => {
    const cache = createResponseCache({ ttlMs: 1000, maxEntries: 2 });
    for (const k of ['a', 'b', 'c']) cache.set(k, Buffer.from(k), cache.generation());
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')?.toString()).toBe('c');
    expect(cache.size).toBe(2);
  });

  it('stores nothing with a TTL of 0', () => {
    const cache = createResponseCache({ ttlMs: 0, maxEntries: 2 });
    cache.set('a', Buffer.from('a'), cache.generation());
    expect(cache.get('a')).toBeUndefined();
  });
});
