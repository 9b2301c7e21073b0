import { problemResponses, type RoutesPlugin } from '@shop/common';
import { countSegments } from '../domain/customer.js';
import { SegmentsQuery, SegmentsResponse } from './schemas.js';

/** Segmentation by region, lifetime spend tier and recency, computed from this service's own rows. */
export const segmentRoutes: RoutesPlugin = async (app) => {
  app.get(
    '/segments',
    {
      config: { roles: ['admin', 'service'] },
      schema: {
        summary: 'Segment sizes',
        description:
          'Tiers in EUR: none (0), bronze (< 100), silver (< 1,000), gold. Recency: active (<= 30 days), lapsing (<= 90), dormant, never.',
        tags: ['segments'],
        security: [{ bearer: [] }],
        querystring: SegmentsQuery,
        response: { 200: SegmentsResponse, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const now = new Date();
      const inputs = await app.customers.segmentInputs(request.query.region);
      return { generatedAt: now.toISOString(), total: inputs.length, segments: countSegments(inputs, now) };
    },
  );
};
