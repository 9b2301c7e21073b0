import { DomainError, type HttpClient, type Region } from '@shop/common';
import { z } from 'zod';
import { fail } from '../errors.js';

// catalog-service's product, as much of it as a cart needs; its `status` is draft | active | archived.
const Product = z
  .object({
    sku: z.string(),
    title: z.string(),
    status: z.string(),
    availableRegions: z.array(z.string()),
  })
  .loose();

type CatalogProduct = z.infer<typeof Product>;

export interface ProductInfo {
  sku: string;
  name: string;
}

export interface CatalogClientOptions {
  /** How long a product found is reused (0: ask catalog every time). Unknown SKUs are never reused. */
  cacheSeconds: number;
  /** Bound on the products kept. */
  cacheSize?: number;
}

function unreadable(detail: string): DomainError {
  return new DomainError('DEPENDENCY_UNAVAILABLE', `catalog answered ${detail}`, { dependency: 'catalog' });
}

/**
 * Products by SKU from catalog-service: unknown, inactive and elsewhere-only products are 422. A product
 * found is reused for a few seconds, and concurrent lookups of one SKU share one call: a cart being filled
 * asks for the same products again and again, and catalog's reads are the slowest step of adding a line.
 * Only eligibility can be that stale; prices always come fresh from pricing.
 */
export function createCatalogClient(http: HttpClient, options: CatalogClientOptions) {
  const maxEntries = options.cacheSize ?? 10_000;
  const cache = new Map<string, { product: Promise<CatalogProduct>; until: number }>();

  async function fetchProduct(sku: string): Promise<CatalogProduct> {
    const res = await http.request({ path: `/products/${encodeURIComponent(sku)}` });
    if (res.status === 404) throw fail('UNKNOWN_SKU', `no product for sale has the SKU ${sku}`);
    if (res.status >= 300) throw unreadable(String(res.status));
    const parsed = Product.safeParse(res.body);
    if (!parsed.success) throw unreadable('a product this service cannot read');
    return parsed.data;
  }

  function lookup(sku: string): Promise<CatalogProduct> {
    const now = Date.now();
    const hit = cache.get(sku);
    if (hit && hit.until > now) return hit.product;
    const product = fetchProduct(sku);
    if (options.cacheSeconds > 0) {
      cache.delete(sku);
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!); // the oldest entry
      cache.set(sku, { product, until: now + options.cacheSeconds * 1000 });
      // A failed lookup (unknown SKU, catalog down) is forgotten at once: the next call asks again.
      product.catch(() => {
        if (cache.get(sku)?.product === product) cache.delete(sku);
      });
    }
    return product;
  }

  return {
    async forSale(sku: string, region: Region): Promise<ProductInfo> {
      const product = await lookup(sku);
      if (product.status !== 'active')
        throw fail('PRODUCT_INACTIVE', `${sku} is ${product.status}, not for sale`);
      if (!product.availableRegions.includes(region)) {
        throw fail('PRODUCT_NOT_IN_REGION', `${sku} is not sold in ${region}`);
      }
      return { sku: product.sku, name: product.title };
    },
  };
}

export type CatalogClient = ReturnType<typeof createCatalogClient>;
