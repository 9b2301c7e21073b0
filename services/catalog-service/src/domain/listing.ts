// How a product listing becomes a Mango query, and the keyset cursor that continues it. No I/O.
import type { Region } from '@shop/common';
import type { ProductDoc, ProductStatus } from './product.js';

export const listingSorts = ['title', 'newest', 'sku'] as const;
export type ListingSort = (typeof listingSorts)[number];

type SortField = keyof Pick<ProductDoc, 'titleKey' | 'updatedKey' | 'sku'>;

const sortSpec: Record<ListingSort, { field: SortField; direction: 'asc' | 'desc' }> = {
  title: { field: 'titleKey', direction: 'asc' },
  newest: { field: 'updatedKey', direction: 'desc' },
  sku: { field: 'sku', direction: 'asc' },
};

export interface ListingFilter {
  status?: ProductStatus;
  category?: string;
  /** Products available in this region. */
  region?: Region;
  /** Matched case-insensitively against SKU, title, description and category. */
  text?: string;
}

export interface ListingRequest {
  filter: ListingFilter;
  sort: ListingSort;
  limit: number;
  /** The sort key of the last item of the previous page. */
  after?: string;
}

/** The equality fields an index can serve, besides `type`: every combination of status and category. */
const equalitySets: ReadonlyArray<ReadonlyArray<'status' | 'category'>> = [
  [],
  ['status'],
  ['category'],
  ['status', 'category'],
];

export interface IndexDefinition {
  name: string;
  fields: string[];
}

function indexName(equality: readonly string[], sort: ListingSort): string {
  return `products-${equality.length ? equality.join('-') : 'all'}-by-${sort}`;
}

/** Every Mango index a listing can use; created at start. */
export const listingIndexes: IndexDefinition[] = equalitySets.flatMap((equality) =>
  listingSorts.map((sort) => ({
    name: indexName(equality, sort),
    fields: ['type', ...equality, sortSpec[sort].field],
  })),
);

/** A `_find` request body (CouchDB API). */
export interface MangoQuery {
  selector: Record<string, unknown>;
  sort: Array<Record<string, 'asc' | 'desc'>>;
  limit: number;
  use_index: [string, string];
}

/** Escapes text so that `$regex` matches it literally (the same in Erlang's and JavaScript's regex). */
export function literalPattern(text: string): string {
  return text.toLowerCase().replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * The Mango query for one page. The cursor is applied inclusively (`$gte`/`$lte`) and the item equal to
 * it dropped afterwards: pouchdb-server's exclusive bounds combined with a limit lose the first match, and
 * inclusive ones behave the same on CouchDB. One extra item tells whether another page exists.
 */
export function planListing(request: ListingRequest): MangoQuery {
  const { filter, sort } = request;
  const spec = sortSpec[sort];
  const equality = (['status', 'category'] as const).filter((f) => filter[f] !== undefined);
  const name = indexName(equality, sort);
  const selector: Record<string, unknown> = { type: 'product' };
  for (const field of equality) selector[field] = filter[field];
  selector[spec.field] =
    request.after === undefined
      ? { $gt: null }
      : { [spec.direction === 'asc' ? '$gte' : '$lte']: request.after };
  if (filter.region) selector.availableRegions = { $elemMatch: { $eq: filter.region } };
  if (filter.text) selector.searchText = { $regex: literalPattern(filter.text) };
  const fields = ['type', ...equality, spec.field];
  return {
    selector,
    sort: fields.map((f) => ({ [f]: spec.direction })),
    limit: request.limit + (request.after === undefined ? 1 : 2),
    use_index: [name, name],
  };
}

/** The sort key of a document under a sort. */
export function sortKeyOf(doc: Pick<ProductDoc, SortField>, sort: ListingSort): string {
  return doc[sortSpec[sort].field];
}

/** One page out of the documents a planned query returned. */
export function pageOf<D extends Pick<ProductDoc, SortField>>(
  docs: D[],
  request: ListingRequest,
): { items: D[]; nextAfter: string | undefined } {
  const rest =
    request.after === undefined ? docs : docs.filter((d) => sortKeyOf(d, request.sort) !== request.after);
  const items = rest.slice(0, request.limit);
  const last = items.at(-1);
  return {
    items,
    nextAfter: rest.length > request.limit && last ? sortKeyOf(last, request.sort) : undefined,
  };
}

/** Cursors are opaque to clients: the sort they belong to and the last key seen. */
export function encodeCursor(sort: ListingSort, after: string): string {
  return Buffer.from(JSON.stringify([sort, after])).toString('base64url');
}

/** Returns undefined for anything that is not a cursor this service issued for this sort. */
export function decodeCursor(raw: string, sort: ListingSort): string | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      value[0] === sort &&
      typeof value[1] === 'string' &&
      value[1].length > 0 &&
      value[1].length <= 400
    )
      return value[1];
  } catch {
    // fall through
  }
  return undefined;
}
