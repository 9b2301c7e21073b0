import { regions } from '@shop/common';
import { z } from 'zod';
import { listingSorts } from '../domain/listing.js';
import { categoryPattern, productStatuses, skuPattern } from '../domain/product.js';

export const Region = z.enum(regions);

const sku = z
  .string()
  .trim()
  .toUpperCase()
  .regex(skuPattern, 'letters, digits, `.`, `_` or `-`, 2 to 64 characters, starting with a letter or digit');
const category = z
  .string()
  .trim()
  .toLowerCase()
  .regex(categoryPattern, 'lower-case words joined by hyphens, e.g. running-shoes')
  .max(60);
const title = z.string().trim().min(1).max(200);
const description = z.string().trim().max(5000);
const attributeValue = z.union([z.string().max(500), z.number(), z.boolean()]);
const attributes = z
  .record(
    z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,39}$/, 'a name like `colour` or `size_eu`'),
    attributeValue,
  )
  .refine((a) => Object.keys(a).length <= 50, 'at most 50 attributes');
const availableRegions = z.array(Region).min(1).max(regions.length);
const status = z.enum(productStatuses);

export const ProductParams = z.object({ sku });
export const MediaParams = z.object({ sku, mediaId: z.uuid() });

export const IfMatchHeaders = z.object({
  'if-match': z.string().max(200).optional().meta({ description: 'The revision being changed (the ETag)' }),
});

export const NewProductBody = z.strictObject({
  sku,
  title,
  description: description.default(''),
  category,
  attributes: attributes.default({}),
  region: Region,
  availableRegions,
  status: status.default('draft'),
});

export const ProductChangesBody = z
  .strictObject({
    title: title.optional(),
    description: description.optional(),
    category: category.optional(),
    attributes: attributes.optional(),
    region: Region.optional(),
    availableRegions: availableRegions.optional(),
    status: status.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change');

export const Media = z
  .object({
    id: z.uuid(),
    contentType: z.string(),
    bytes: z.number().int(),
    uploadedAt: z.string(),
    url: z.string().meta({ description: 'Pre-signed GET URL' }),
    urlExpiresAt: z.string(),
  })
  .meta({ id: 'Media' });

export const Product = z
  .object({
    sku: z.string(),
    title: z.string(),
    description: z.string(),
    category: z.string(),
    attributes: z.record(z.string(), attributeValue),
    region: Region,
    availableRegions: z.array(Region),
    status,
    media: z.array(Media),
    createdAt: z.string(),
    updatedAt: z.string(),
    revision: z.string().meta({ description: 'Send back in If-Match to change or delete the product' }),
  })
  .meta({ id: 'Product' });

export const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(600).optional(),
  sort: z.enum(listingSorts).default('title'),
  category: category.optional(),
  region: Region.optional(),
  status: z
    .enum([...productStatuses, 'any'])
    .default('active')
    .meta({ description: 'Anything but `active` needs the admin role' }),
  q: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .meta({ description: 'Text in SKU, title, description or category' }),
});

export const ProductPage = z.object({ items: z.array(Product), nextCursor: z.string().nullable() });

export const CategoriesQuery = z.strictObject({
  status: status.default('active').meta({ description: 'Anything but `active` needs the admin role' }),
});
export const CategoriesResponse = z.object({
  items: z.array(z.object({ name: z.string(), products: z.number().int() })),
});

const graphqlError = z
  .object({
    message: z.string(),
    locations: z.array(z.object({ line: z.number(), column: z.number() })).optional(),
    path: z.array(z.union([z.string(), z.number()])).optional(),
    extensions: z.object({ code: z.string() }).loose(),
  })
  .loose();

export const GraphqlBody = z.strictObject({
  query: z.string().min(1).max(20_000),
  variables: z.record(z.string(), z.unknown()).nullable().optional(),
  operationName: z.string().max(200).nullable().optional(),
});

export const GraphqlQuery = z.strictObject({
  query: z.string().min(1).max(20_000),
  variables: z.string().max(20_000).optional().meta({ description: 'JSON object' }),
  operationName: z.string().max(200).optional(),
});

export const GraphqlResponse = z
  .object({
    data: z.record(z.string(), z.unknown()).nullable().optional(),
    errors: z.array(graphqlError).optional(),
  })
  .meta({ id: 'GraphqlResponse' });
