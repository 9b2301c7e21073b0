// The storefront's GraphQL schema: active products only, read-only. Built in code rather than SDL so that
// regions keep their shop spelling (`eu-west`) behind GraphQL enum names and list fields declare their cost.
import { DomainError, regions } from '@shop/common';
import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  type GraphQLNullableType,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
} from 'graphql';
import type { Category, ProductRepository } from '../db/product-repository.js';
import { decodeCursor, encodeCursor, type ListingFilter, type ListingSort } from '../domain/listing.js';
import {
  categoryPattern,
  type MediaItem,
  normalizeSku,
  type Product,
  skuPattern,
} from '../domain/product.js';
import { fail } from '../errors.js';
import type { FieldCost } from './cost.js';

export interface StorefrontDeps {
  products: ProductRepository;
  /** A URL the shopper's browser can fetch the image from. */
  mediaUrl(item: MediaItem): Promise<string>;
}

export const maxPageSize = 100;
export const maxRelated = 10;
/** Estimates for lists without a size argument. */
const mediaEstimate = 5;
const attributeEstimate = 5;
const categoryEstimate = 20;

const nonNull = <T extends GraphQLNullableType>(type: T) => new GraphQLNonNull(type);
const listOf = <T extends GraphQLNullableType>(type: T) => nonNull(new GraphQLList(nonNull(type)));
const cost = (c: FieldCost) => ({ cost: c });

const RegionEnum = new GraphQLEnumType({
  name: 'Region',
  values: Object.fromEntries(regions.map((r) => [r.toUpperCase().replaceAll('-', '_'), { value: r }])),
});

const SortEnum = new GraphQLEnumType({
  name: 'ProductSort',
  values: {
    TITLE: { value: 'title', description: 'By title, A to Z' },
    NEWEST: { value: 'newest', description: 'Most recently changed first' },
    SKU: { value: 'sku', description: 'By SKU' },
  },
});

const Attribute = new GraphQLObjectType<[string, unknown]>({
  name: 'Attribute',
  fields: {
    name: { type: nonNull(GraphQLString), resolve: ([name]) => name },
    value: { type: nonNull(GraphQLString), resolve: ([, value]) => String(value) },
  },
});

function validate(condition: boolean, field: string, message: string): void {
  if (!condition)
    throw new DomainError('VALIDATION_FAILED', `${field}: ${message}`, { errors: [{ field, message }] });
}

function pageSize(first: number, max: number, field: string): number {
  validate(Number.isInteger(first) && first >= 1 && first <= max, field, `must be between 1 and ${max}`);
  return first;
}

export function buildStorefrontSchema(deps: StorefrontDeps): GraphQLSchema {
  const Media = new GraphQLObjectType<MediaItem>({
    name: 'Media',
    fields: {
      id: { type: nonNull(GraphQLID) },
      contentType: { type: nonNull(GraphQLString) },
      bytes: { type: nonNull(GraphQLInt) },
      url: {
        type: nonNull(GraphQLString),
        description: 'Pre-signed, valid for a limited time',
        resolve: (item) => deps.mediaUrl(item),
      },
    },
  });

  const ProductType: GraphQLObjectType<Product> = new GraphQLObjectType<Product>({
    name: 'Product',
    fields: () => ({
      sku: { type: nonNull(GraphQLID) },
      title: { type: nonNull(GraphQLString) },
      description: { type: nonNull(GraphQLString) },
      category: { type: nonNull(GraphQLString) },
      attributes: {
        type: listOf(Attribute),
        extensions: cost({ multiplier: attributeEstimate }),
        resolve: (p) => Object.entries(p.attributes),
      },
      region: { type: nonNull(RegionEnum), description: 'The region that manages the product' },
      availableRegions: { type: listOf(RegionEnum) },
      media: { type: listOf(Media), extensions: cost({ multiplier: mediaEstimate }) },
      updatedAt: { type: nonNull(GraphQLString) },
      related: {
        type: listOf(ProductType),
        description: 'Other active products of the same category',
        args: { first: { type: nonNull(GraphQLInt), defaultValue: 4 } },
        extensions: cost({ argument: 'first', max: maxRelated }),
        resolve: async (p, args: { first: number }) => {
          const first = pageSize(args.first, maxRelated, 'related.first');
          const page = await deps.products.list({
            filter: { status: 'active', category: p.category },
            sort: 'title',
            limit: first + 1,
          });
          return page.items.filter((r) => r.sku !== p.sku).slice(0, first);
        },
      },
    }),
  });

  const PageInfo = new GraphQLObjectType<{ endCursor: string | null; hasNextPage: boolean }>({
    name: 'PageInfo',
    fields: {
      endCursor: { type: GraphQLString, description: 'Pass as `after` for the next page' },
      hasNextPage: { type: nonNull(GraphQLBoolean) },
    },
  });

  const ProductPage = new GraphQLObjectType<{ items: Product[]; pageInfo: unknown }>({
    name: 'ProductPage',
    fields: { items: { type: listOf(ProductType) }, pageInfo: { type: nonNull(PageInfo) } },
  });

  const ProductFilter = new GraphQLInputObjectType({
    name: 'ProductFilter',
    fields: {
      category: { type: GraphQLString },
      region: { type: RegionEnum, description: 'Products available in this region' },
      text: { type: GraphQLString, description: 'Matched against SKU, title, description and category' },
    },
  });

  const CategoryType = new GraphQLObjectType<Category>({
    name: 'Category',
    fields: { name: { type: nonNull(GraphQLString) }, products: { type: nonNull(GraphQLInt) } },
  });

  const Query = new GraphQLObjectType({
    name: 'Query',
    fields: {
      products: {
        type: nonNull(ProductPage),
        args: {
          filter: { type: ProductFilter },
          sort: { type: nonNull(SortEnum), defaultValue: 'title' },
          first: { type: nonNull(GraphQLInt), defaultValue: 20 },
          after: { type: GraphQLString },
        },
        extensions: cost({ argument: 'first', max: maxPageSize }),
        resolve: async (
          _root,
          args: { filter?: ListingFilter | null; sort: ListingSort; first: number; after?: string | null },
        ) => {
          const limit = pageSize(args.first, maxPageSize, 'products.first');
          const filter: ListingFilter = { status: 'active' };
          const { category, region, text } = args.filter ?? {};
          if (category != null) {
            validate(categoryPattern.test(category), 'filter.category', 'lower-case words joined by hyphens');
            filter.category = category;
          }
          if (region != null) filter.region = region;
          if (text != null) {
            validate(text.trim().length >= 1 && text.length <= 100, 'filter.text', '1 to 100 characters');
            filter.text = text.trim();
          }
          let after: string | undefined;
          if (args.after != null) {
            after = decodeCursor(args.after, args.sort);
            if (after === undefined)
              throw fail('INVALID_CURSOR', 'use pageInfo.endCursor of a previous page');
          }
          const page = await deps.products.list({
            filter,
            sort: args.sort,
            limit,
            ...(after ? { after } : {}),
          });
          return {
            items: page.items,
            pageInfo: {
              endCursor: page.nextAfter === undefined ? null : encodeCursor(args.sort, page.nextAfter),
              hasNextPage: page.nextAfter !== undefined,
            },
          };
        },
      },
      product: {
        type: ProductType,
        description: 'An active product by SKU, or null',
        args: { sku: { type: nonNull(GraphQLString) } },
        resolve: async (_root, args: { sku: string }) => {
          const sku = normalizeSku(args.sku);
          if (!skuPattern.test(sku)) return null;
          const product = await deps.products.get(sku);
          return product?.status === 'active' ? product : null;
        },
      },
      categories: {
        type: listOf(CategoryType),
        description: 'Categories with at least one active product',
        extensions: cost({ multiplier: categoryEstimate }),
        resolve: () => deps.products.categories('active'),
      },
    },
  });

  return new GraphQLSchema({ query: Query });
}
