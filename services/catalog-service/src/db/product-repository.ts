import { couchCall, couchStatus } from '@shop/common';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { DocumentScope, MangoQuery } from 'nano';
import { type ListingRequest, pageOf, planListing } from '../domain/listing.js';
import { maxMediaPerProduct } from '../domain/media.js';
import {
  applyChanges,
  fromDoc,
  type MediaItem,
  type NewProduct,
  newProduct,
  type Product,
  type ProductChanges,
  type ProductDoc,
  type ProductStatus,
  productDocId,
  toDoc,
} from '../domain/product.js';
import { fail } from '../errors.js';

export interface Category {
  name: string;
  products: number;
}

/** Called with a stored document that is not a valid product; listings skip it rather than fail. */
export type InvalidDocumentHandler = (id: string, problem: string) => void;

// Concurrent media changes to one product (two uploads at once) each retry on a revision conflict.
const mergeAttempts = 5;

function readProduct(raw: unknown): Product {
  const read = fromDoc(raw);
  if ('problem' in read) {
    const id = (raw as { _id?: unknown } | null)?._id;
    throw new Error(`stored document ${String(id)} is not a valid product: ${read.problem}`);
  }
  return read.product;
}

export function createProductRepository(db: DocumentScope<unknown>, onInvalid: InvalidDocumentHandler) {
  async function load(sku: string): Promise<Product | undefined> {
    try {
      return readProduct(await db.get(productDocId(sku)));
    } catch (err) {
      if (couchStatus(err) === 404) return undefined;
      throw err;
    }
  }

  async function write(product: Omit<Product, 'revision'>, rev?: string): Promise<Product> {
    const saved = await db.insert(toDoc(product, rev));
    return { ...product, revision: saved.rev };
  }

  /** Reads, changes and writes a product, again from the top when someone else wrote in between. */
  async function merge(
    sku: string,
    change: (product: Product) => Omit<Product, 'revision'>,
  ): Promise<Product> {
    for (let attempt = 1; ; attempt++) {
      const current = await load(sku);
      if (!current) throw fail('PRODUCT_NOT_FOUND', `product ${sku} does not exist`);
      try {
        return await write(change(current), current.revision);
      } catch (err) {
        if (couchStatus(err) !== 409 || attempt >= mergeAttempts) throw err;
      }
    }
  }

  return {
    async create(input: NewProduct, now = new Date()): Promise<Product> {
      return couchCall(async () => {
        try {
          return await write(newProduct(input, now));
        } catch (err) {
          if (couchStatus(err) === 409)
            throw fail('SKU_TAKEN', `a product with SKU ${input.sku} already exists`);
          throw err;
        }
      });
    },

    get(sku: string): Promise<Product | undefined> {
      return couchCall(() => load(sku));
    },

    /** One page of a listing through the Mango index that serves its filter and sort. */
    async list(request: ListingRequest): Promise<{ items: Product[]; nextAfter: string | undefined }> {
      const { docs } = await couchCall(() => db.find(planListing(request) as unknown as MangoQuery));
      const page = pageOf(docs as unknown as ProductDoc[], request);
      const items: Product[] = [];
      for (const doc of page.items) {
        const read = fromDoc(doc);
        if ('product' in read) items.push(read.product);
        else onInvalid(doc._id, read.problem);
      }
      return { items, nextAfter: page.nextAfter };
    },

    /** Changes a product at the revision the client read; a newer revision in the store answers 409. */
    async update(sku: string, revision: string, changes: ProductChanges, now = new Date()): Promise<Product> {
      return couchCall(async () => {
        const current = await load(sku);
        if (!current) throw fail('PRODUCT_NOT_FOUND', `product ${sku} does not exist`);
        if (current.revision !== revision) throw stale(sku, revision, current.revision);
        try {
          return await write(applyChanges(current, changes, now), revision);
        } catch (err) {
          if (couchStatus(err) === 409) throw stale(sku, revision);
          throw err;
        }
      });
    },

    /** Deletes a product at the revision the client read and returns what it was (its media among it). */
    async remove(sku: string, revision: string): Promise<Product> {
      return couchCall(async () => {
        const current = await load(sku);
        if (!current) throw fail('PRODUCT_NOT_FOUND', `product ${sku} does not exist`);
        if (current.revision !== revision) throw stale(sku, revision, current.revision);
        try {
          await db.destroy(productDocId(sku), revision);
          return current;
        } catch (err) {
          if (couchStatus(err) === 409) throw stale(sku, revision);
          if (couchStatus(err) === 404) throw fail('PRODUCT_NOT_FOUND', `product ${sku} does not exist`);
          throw err;
        }
      });
    },

    /** Refuses early, before anything is uploaded, when the product is missing or full. */
    async assertMediaRoom(sku: string): Promise<Product> {
      const product = await couchCall(() => load(sku));
      if (!product) throw fail('PRODUCT_NOT_FOUND', `product ${sku} does not exist`);
      if (product.media.length >= maxMediaPerProduct)
        throw fail('MEDIA_LIMIT_REACHED', `a product keeps at most ${maxMediaPerProduct} media items`);
      return product;
    },

    addMedia(sku: string, item: MediaItem, now = new Date()): Promise<Product> {
      return couchCall(() =>
        merge(sku, (current) => {
          if (current.media.length >= maxMediaPerProduct)
            throw fail('MEDIA_LIMIT_REACHED', `a product keeps at most ${maxMediaPerProduct} media items`);
          return { ...applyChanges(current, {}, now), media: [...current.media, item] };
        }),
      );
    },

    async removeMedia(
      sku: string,
      mediaId: string,
      now = new Date(),
    ): Promise<{ product: Product; item: MediaItem }> {
      let removed: MediaItem | undefined;
      const product = await couchCall(() =>
        merge(sku, (current) => {
          removed = current.media.find((m) => m.id === mediaId);
          if (!removed) throw fail('MEDIA_NOT_FOUND', `product ${sku} has no media item ${mediaId}`);
          return { ...applyChanges(current, {}, now), media: current.media.filter((m) => m.id !== mediaId) };
        }),
      );
      return { product, item: removed! };
    },

    /** Products per category in one status, from the catalog's map/reduce view. */
    async categories(status: ProductStatus): Promise<Category[]> {
      const result = await couchCall(() =>
        db.view('catalog', 'categories', {
          startkey: [status],
          endkey: [status, {}],
          group_level: 2,
          reduce: true,
        }),
      );
      return result.rows.map((row) => ({
        name: String((row.key as unknown as [string, string])[1]),
        products: Number(row.value),
      }));
    },
  };
}

function stale(sku: string, sent: string, current?: string) {
  return fail(
    'REVISION_CONFLICT',
    `product ${sku} is no longer at revision ${sent}; read it again and reapply the change`,
    current ? { currentRevision: current } : undefined,
  );
}

export type ProductRepository = ReturnType<typeof createProductRepository>;

declare module 'fastify' {
  interface FastifyInstance {
    products: ProductRepository;
  }
}

export const productRepositoryPlugin = fp(
  async (app: FastifyInstance, options: { database: string; onInvalid: InvalidDocumentHandler }) => {
    app.decorate('products', createProductRepository(app.couch.use(options.database), options.onInvalid));
  },
  { name: 'product-repository', dependencies: ['kit-couchdb'] },
);
