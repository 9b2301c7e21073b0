// Product images: which types are accepted, how their bytes are recognised, where they are kept. No I/O.

export const imageTypes = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
} as const;
export type ImageType = keyof typeof imageTypes;

/** Most media items one product keeps; a storefront shows a handful, a bulk mistake should stop early. */
export const maxMediaPerProduct = 20;

export function isImageType(type: string): type is ImageType {
  return Object.hasOwn(imageTypes, type);
}

/**
 * The image type the bytes actually are, from their signature; undefined for anything else. The declared
 * content type is only the client's word, and a browser renders what the bytes are.
 */
export function sniffImageType(head: Uint8Array): ImageType | undefined {
  const at = (offset: number, bytes: number[]) => bytes.every((b, i) => head[offset + i] === b);
  if (at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (at(0, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  // RIFF....WEBP
  if (at(0, [0x52, 0x49, 0x46, 0x46]) && at(8, [0x57, 0x45, 0x42, 0x50])) return 'image/webp';
  return undefined;
}

/**
 * The reason an upload is refused as the wrong type, or undefined when the declared type is an accepted
 * image and the bytes are that image.
 */
export function checkImage(declared: string, head: Uint8Array): string | undefined {
  const type = declared.split(';')[0]!.trim().toLowerCase();
  if (!isImageType(type))
    return `${declared || 'no content type'} is not one of ${Object.keys(imageTypes).join(', ')}`;
  const actual = sniffImageType(head);
  if (actual !== type)
    return `the file is declared ${type} but its bytes are ${actual ?? 'not an accepted image'}`;
  return undefined;
}

/** Every object of a product lives under one prefix, so deleting the product can sweep them all. */
export function mediaPrefix(sku: string): string {
  return `products/${sku}/`;
}

export function mediaKey(sku: string, mediaId: string, type: ImageType): string {
  return `${mediaPrefix(sku)}${mediaId}.${imageTypes[type]}`;
}
