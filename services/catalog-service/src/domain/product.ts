// Product rules with no I/O: identity from the SKU, the stored document and its derived keys, changes.
import { type Region, regions } from '@shop/common';

export const productStatuses = ['draft', 'active', 'archived'] as const;
export type ProductStatus = (typeof productStatuses)[number];

/** Upper case letters, digits and `.`, `_`, `-`; 2 to 64 characters, starting with a letter or digit. */
export const skuPattern = /^[A-Z0-9][A-Z0-9._-]{1,63}$/;
/** Lower case words joined by hyphens: `running-shoes`. */
export const categoryPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export type AttributeValue = string | number | boolean;

export interface MediaItem {
  id: string;
  /** Object key in the media bucket. */
  key: string;
  contentType: string;
  bytes: number;
  uploadedAt: string;
}

export interface Product {
  sku: string;
  title: string;
  description: string;
  category: string;
  attributes: Record<string, AttributeValue>;
  /** The region that owns the record (where it is managed). */
  region: Region;
  /** Where the product may be sold. */
  availableRegions: Region[];
  status: ProductStatus;
  media: MediaItem[];
  createdAt: string;
  updatedAt: string;
  /** The store's revision of the record; sent back in If-Match to change it. */
  revision: string;
}

export type NewProduct = Pick<
  Product,
  'sku' | 'title' | 'description' | 'category' | 'attributes' | 'region' | 'availableRegions' | 'status'
>;

export type ProductChanges = Partial<Omit<NewProduct, 'sku'>>;

/** The stored document: the product plus keys that exist only so Mango indexes can sort and search. */
export interface ProductDoc extends Omit<Product, 'revision'> {
  _id: string;
  _rev?: string;
  type: 'product';
  /** Unique sort key by title: a title shared by two products is ordered by SKU. */
  titleKey: string;
  /** Unique sort key by last change. */
  updatedKey: string;
  /** Lower-cased SKU, title, description and category, matched by the text filter. */
  searchText: string;
}

/** SKUs compare without surrounding spaces and case-insensitively; stored upper case. */
export function normalizeSku(sku: string): string {
  return sku.trim().toUpperCase();
}

/** The document id: one document per SKU, so the store itself refuses a second product with a SKU. */
export function productDocId(sku: string): string {
  return `product:${normalizeSku(sku)}`;
}

function uniqueRegions(list: readonly Region[]): Region[] {
  // In the shop's own order, so equal sets are stored (and published) identically.
  return regions.filter((r) => list.includes(r));
}

/** A document with its derived keys recomputed; call on every write. */
export function toDoc(product: Omit<Product, 'revision'>, rev?: string): ProductDoc {
  const title = product.title.trim();
  return {
    _id: productDocId(product.sku),
    ...(rev ? { _rev: rev } : {}),
    type: 'product',
    sku: product.sku,
    title,
    description: product.description,
    category: product.category,
    attributes: product.attributes,
    region: product.region,
    availableRegions: uniqueRegions(product.availableRegions),
    status: product.status,
    media: product.media,
    createdAt: product.createdAt,
    updatedAt: product.updatedAt,
    titleKey: `${title.toLowerCase().slice(0, 200)} ${product.sku}`,
    updatedKey: `${product.updatedAt} ${product.sku}`,
    searchText: [product.sku, title, product.description, product.category].join(' ').toLowerCase(),
  };
}

export function newProduct(input: NewProduct, now: Date): Omit<Product, 'revision'> {
  const at = now.toISOString();
  return {
    ...input,
    sku: normalizeSku(input.sku),
    availableRegions: uniqueRegions(input.availableRegions),
    media: [],
    createdAt: at,
    updatedAt: at,
  };
}

/** Applies a change set; `attributes` replaces the whole map (send every attribute to keep). */
export function applyChanges(
  product: Omit<Product, 'revision'>,
  changes: ProductChanges,
  now: Date,
): Omit<Product, 'revision'> {
  const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
  return { ...product, ...defined, updatedAt: now.toISOString() };
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isRegion = (v: unknown): v is Region => regions.includes(v as Region);
const isStatus = (v: unknown): v is ProductStatus => productStatuses.includes(v as ProductStatus);

/**
 * Reads a stored document back as a product, or says why it cannot: the store accepts any JSON, and a
 * document written around the service (a migration, the schema-drift incident) must not break a listing.
 */
export function fromDoc(raw: unknown): { product: Product } | { problem: string } {
  if (!raw || typeof raw !== 'object') return { problem: 'not an object' };
  const d = raw as Record<string, unknown>;
  if (d.type !== 'product') return { problem: 'not a product document' };
  const missing = ['sku', 'title', 'category', 'createdAt', 'updatedAt', '_rev'].filter(
    (k) => !isString(d[k]),
  );
  if (missing.length > 0) return { problem: `missing or not text: ${missing.join(', ')}` };
  if (!isRegion(d.region)) return { problem: `region ${JSON.stringify(d.region)} is not a region` };
  if (!isStatus(d.status)) return { problem: `status ${JSON.stringify(d.status)} is not a status` };
  const available = Array.isArray(d.availableRegions) ? d.availableRegions : [];
  const attributes =
    d.attributes && typeof d.attributes === 'object' && !Array.isArray(d.attributes)
      ? Object.fromEntries(
          Object.entries(d.attributes as Record<string, unknown>).filter(([, v]) =>
            ['string', 'number', 'boolean'].includes(typeof v),
          ),
        )
      : {};
  const media = Array.isArray(d.media)
    ? (d.media as unknown[]).filter(
        (m): m is MediaItem =>
          !!m &&
          typeof m === 'object' &&
          isString((m as MediaItem).id) &&
          isString((m as MediaItem).key) &&
          isString((m as MediaItem).contentType),
      )
    : [];
  return {
    product: {
      sku: d.sku as string,
      title: d.title as string,
      description: isString(d.description) ? d.description : '',
      category: d.category as string,
      attributes: attributes as Record<string, AttributeValue>,
      region: d.region,
      availableRegions: available.filter(isRegion),
      status: d.status,
      media,
      createdAt: d.createdAt as string,
      updatedAt: d.updatedAt as string,
      revision: d._rev as string,
    },
  };
}

/** The revision out of an If-Match value: `"1-abc"`, `W/"1-abc"` or a bare `1-abc`. */
export function revisionFromIfMatch(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = header
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1');
  return /^\d+-[0-9a-f]+$/i.test(value) ? value : undefined;
}

/** The ETag of a product: its revision, quoted. */
export function etagOf(product: Pick<Product, 'revision'>): string {
  return `"${product.revision}"`;
}
