import { problemResponses, type RoutesPlugin } from '@shop/common';
import { regionFigures } from '../db/inventory-repository.js';
import { fail } from '../errors.js';
import { AdjustBody, Availability, SkuParams, StockList, WarehouseStock } from './schemas.js';

/** Stock: adjustments by admins, per-warehouse rows, availability per region and in total. */
export const stockRoutes: RoutesPlugin = async (app) => {
  const { inventory } = app;

  app.post(
    '/stock/adjustments',
    {
      config: { roles: ['admin'], idempotent: true },
      schema: {
        summary: 'Add or remove on-hand units of a SKU in a warehouse',
        description:
          'Creates the stock row on first use. Removing never takes reserved or sold units (409). Send an ' +
          'Idempotency-Key to make a retry safe.',
        tags: ['stock'],
        security: [{ bearer: [] }],
        body: AdjustBody,
        response: { 200: WarehouseStock, ...problemResponses(400, 401, 403, 409, 422, 503) },
      },
    },
    async (request) => {
      const row = await inventory.adjust(request.body);
      return { ...row, sku: request.body.sku };
    },
  );

  app.get(
    '/stock/:sku',
    {
      config: { roles: ['admin', 'service'] },
      schema: {
        summary: "A SKU's stock rows, per warehouse",
        description: 'Includes sold and oversold units; received = available + reserved + sold.',
        tags: ['stock'],
        security: [{ bearer: [] }],
        params: SkuParams,
        response: { 200: StockList, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const { sku } = request.params;
      const rows = await inventory.listStock(sku);
      if (rows.length === 0) throw fail('SKU_NOT_FOUND', `no stock is kept for SKU ${sku}`);
      return { sku, items: rows.map((r) => ({ ...r, sku })) };
    },
  );

  app.get(
    '/availability/:sku',
    {
      config: { public: true },
      schema: {
        summary: 'Availability of a SKU per region and in total',
        tags: ['stock'],
        params: SkuParams,
        response: { 200: Availability, ...problemResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const { sku } = request.params;
      const rows = await inventory.listStock(sku);
      if (rows.length === 0) throw fail('SKU_NOT_FOUND', `no stock is kept for SKU ${sku}`);
      const figures = regionFigures(rows, new Date()).map(({ asOf: _asOf, ...f }) => f);
      // Oversold regions count as nothing available, not as negative stock elsewhere.
      return {
        sku,
        regions: figures,
        globalAvailable: figures.reduce((s, f) => s + Math.max(0, f.available), 0),
      };
    },
  );
};
