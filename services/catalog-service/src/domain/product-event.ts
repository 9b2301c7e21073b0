// What `catalog.product.upserted.v1` says about a product, and how the change feed's entries are judged.
import { createHash } from 'node:crypto';
import { fromDoc, type Product } from './product.js';

/** The record of `catalog.product.upserted.v1`; mirrors the generated contract type field for field. */
export interface ProductUpsertedRecord {
  event_id: string;
  occurred_at: number;
  aggregate_id: string;
  region: string;
  sku: string;
  title: string;
  category: string;
  status: 'unknown' | 'draft' | 'active' | 'archived';
  available_regions: string[];
  attributes: Record<string, string | number | boolean>;
  revision: string;
}

/**
 * The event id of a product revision: a name-based UUID (version 5 layout) of SKU and revision. The same
 * revision read twice from the feed (a restart before the checkpoint was saved) is the same event, which
 * consumers drop by id.
 */
export function eventIdOf(sku: string, revision: string): string {
  const hash = createHash('sha1').update(`catalog.product:${sku}:${revision}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function upsertedRecord(product: Product): ProductUpsertedRecord {
  return {
    event_id: eventIdOf(product.sku, product.revision),
    occurred_at: Date.parse(product.updatedAt) || Date.now(),
    aggregate_id: product.sku,
    region: product.region,
    sku: product.sku,
    title: product.title,
    category: product.category,
    status: product.status,
    available_regions: product.availableRegions,
    attributes: product.attributes,
    revision: product.revision,
  };
}

/** A change feed entry, as much of it as the publisher reads. */
export interface FeedEntry {
  id: string;
  deleted?: boolean;
  doc?: unknown;
}

/**
 * What to do with one entry of the feed: publish the product, skip what is not a product change (design
 * documents, deletions — the contract has no deletion event), or reject a product document that cannot be
 * read as one, with the reason.
 */
export function judgeEntry(
  entry: FeedEntry,
):
  | { action: 'publish'; record: ProductUpsertedRecord }
  | { action: 'skip'; reason: string }
  | { action: 'reject'; reason: string } {
  if (!entry.id.startsWith('product:')) return { action: 'skip', reason: 'not a product' };
  if (entry.deleted) return { action: 'skip', reason: 'deleted' };
  const read = fromDoc(entry.doc);
  if ('problem' in read) return { action: 'reject', reason: read.problem };
  return { action: 'publish', record: upsertedRecord(read.product) };
}
