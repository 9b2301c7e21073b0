import { describe, expect, it } from 'vitest';
import { checkImage, mediaKey, mediaPrefix, sniffImageType } from '../../src/domain/media.js';
import { images } from '../fixtures.js';

describe('sniffImageType', () => {
  it('recognises PNG, JPEG and WebP by their bytes', () => {
    expect(sniffImageType(images.png)).toBe('image/png');
    expect(sniffImageType(images.jpeg)).toBe('image/jpeg');
    expect(sniffImageType(images.webp)).toBe('image/webp');
    expect(sniffImageType(Buffer.from('%PDF-1.7'))).toBeUndefined();
    expect(sniffImageType(Buffer.alloc(0))).toBeUndefined();
  });
});

describe('checkImage', () => {
  it('accepts an image whose bytes match its declared type', () => {
    expect(checkImage('image/png', images.png)).toBeUndefined();
    expect(checkImage('IMAGE/JPEG; charset=binary', images.jpeg)).toBeUndefined();
  });

  it('refuses other types and disguised files, saying why', () => {
    expect(checkImage('image/gif', images.png)).toMatch(/image\/gif is not one of/);
    expect(checkImage('image/png', Buffer.from('<svg/>'))).toMatch(
      /declared image\/png but its bytes are not/,
    );
    expect(checkImage('image/webp', images.png)).toMatch(/bytes are image\/png/);
  });
});

describe('keys', () => {
  it('keeps every object of a product under its prefix', () => {
    expect(mediaKey('SKU-1', 'id', 'image/jpeg')).toBe('products/SKU-1/id.jpg');
    expect(mediaKey('SKU-1', 'id', 'image/jpeg').startsWith(mediaPrefix('SKU-1'))).toBe(true);
  });
});
