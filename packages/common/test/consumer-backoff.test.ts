import { describe, expect, it } from 'vitest';
import { backoffDelay, backoffSchedule } from '../src/index.js';

describe('backoffDelay', () => {
  it('doubles from the initial delay and stops growing at the cap', () => {
    expect(backoffSchedule(8, { initialMs: 100, maxMs: 1000 })).toEqual([
      100, 200, 400, 800, 1000, 1000, 1000,
    ]);
  });

  it('uses 200 ms, factor 2 and a 10 s cap by default', () => {
    expect(backoffSchedule(5)).toEqual([200, 400, 800, 1600]);
    expect(backoffDelay(30, { jitter: 0 })).toBe(10_000);
  });

  it('only ever shortens a delay with jitter, by at most the jitter share', () => {
    expect(backoffDelay(3, { initialMs: 100, jitter: 0.5 }, () => 0)).toBe(400);
    expect(backoffDelay(3, { initialMs: 100, jitter: 0.5 }, () => 0.999999)).toBe(200);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(20, { maxMs: 5000 });
      expect(d).toBeLessThanOrEqual(5000);
      expect(d).toBeGreaterThanOrEqual(4000);
    }
  });

  it('treats attempt 0 or below as the first retry', () => {
    expect(backoffDelay(0, { jitter: 0 })).toBe(200);
  });

  it('gives no delays when one attempt is allowed', () => {
    expect(backoffSchedule(1)).toEqual([]);
  });
});
