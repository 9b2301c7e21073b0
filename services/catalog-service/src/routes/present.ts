import type { MediaItem, Product } from '../domain/product.js';

export type MediaSigner = (item: MediaItem) => Promise<string>;

/** A product as the REST API answers it: media with pre-signed URLs, object keys left out. */
export async function presentProduct(
  product: Product,
  sign: MediaSigner,
  ttlSeconds: number,
  now = new Date(),
) {
  const urlExpiresAt = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
  const media = await Promise.all(
    product.media.map(async ({ key: _key, ...item }) => ({
      ...item,
      url: await sign({ key: _key, ...item }),
      urlExpiresAt,
    })),
  );
  return { ...product, media };
}
