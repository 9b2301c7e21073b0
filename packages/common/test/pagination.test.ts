import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../src/index.js';

describe('cursors', () => {
  it('round-trips', () => {
    const c = { createdAt: '2026-01-01T00:00:00.000Z', id: '6f1c1c4e-8f1e-4c1a-9a4f-1d2b3c4d5e6f' };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
  });

  it('rejects anything it did not issue', () => {
    expect(decodeCursor('garbage')).toBeUndefined();
    expect(decodeCursor(Buffer.from('["x","y"]').toString('base64url'))).toBeUndefined();
    expect(decodeCursor(Buffer.from('{"a":1}').toString('base64url'))).toBeUndefined();
  });
});
