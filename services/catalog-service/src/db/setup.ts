import { fileURLToPath } from 'node:url';
import { couchCall, couchStatus, createCouch } from '@shop/common';
import type { DocumentScope } from 'nano';
import { listingIndexes } from '../domain/listing.js';

// Creating an index on a large database takes longer than a request may wait for the store.
const setupTimeoutMs = 120_000;

/** Map/reduce views the Mango indexes cannot express: counts of products per status and category. */
export const catalogDesignDoc = {
  _id: '_design/catalog',
  language: 'javascript',
  views: {
    categories: {
      map: "function (doc) { if (doc.type === 'product' && typeof doc.category === 'string') emit([doc.status, doc.category], 1); }",
      reduce: '_count',
    },
  },
};

/**
 * Creates the listing indexes and the catalog's views, or leaves them as they are: safe at every start
 * and from several instances at once (an index that exists answers `exists`; a view another instance
 * wrote first answers 409, which is the same content).
 */
export async function setupCatalogDatabase(db: DocumentScope<unknown>): Promise<void> {
  await couchCall(async () => {
    for (const index of listingIndexes) {
      await db.createIndex({
        index: { fields: index.fields },
        ddoc: index.name,
        name: index.name,
        type: 'json',
      });
    }
    let current: { _rev?: string; views?: unknown } | undefined;
    try {
      current = (await db.get(catalogDesignDoc._id)) as { _rev?: string; views?: unknown };
    } catch (err) {
      if (couchStatus(err) !== 404) throw err;
    }
    if (current && JSON.stringify(current.views) === JSON.stringify(catalogDesignDoc.views)) return;
    try {
      await db.insert({ ...catalogDesignDoc, ...(current?._rev ? { _rev: current._rev } : {}) });
    } catch (err) {
      if (couchStatus(err) !== 409) throw err;
    }
  }, setupTimeoutMs);
}

/** Prepares the catalog database at `url` (with credentials); `pnpm setup-db` runs it alone. */
export async function setupCatalog(url: string, database: string): Promise<void> {
  await setupCatalogDatabase(createCouch(url).use(database));
}

// `pnpm --filter @shop/catalog-service setup-db`: create the indexes and views and exit.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const url = process.env.CATALOG_COUCHDB_URL;
  if (!url) {
    console.error('CATALOG_COUCHDB_URL is not set');
    process.exit(78);
  }
  await setupCatalog(url, process.env.CATALOG_COUCHDB_DATABASE ?? 'catalog');
  console.log('catalog indexes and views in place');
}
