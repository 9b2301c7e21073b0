import { DomainError, hasRole, problemResponses, type RoutesPlugin } from '@shop/common';
import { CategoriesQuery, CategoriesResponse } from './schemas.js';

/** Categories with their number of products, from the catalog's map/reduce view. */
export const categoryRoutes: RoutesPlugin = async (app) => {
  app.get(
    '/categories',
    {
      schema: {
        summary: 'List categories',
        description:
          'Every category with at least one product in the given status (default active), by name.',
        tags: ['categories'],
        querystring: CategoriesQuery,
        response: { 200: CategoriesResponse, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const { status } = request.query;
      if (status !== 'active' && !hasRole(request.user, ['admin']))
        throw new DomainError(
          request.user ? 'FORBIDDEN' : 'UNAUTHENTICATED',
          `status=${status} needs the admin role`,
        );
      return { items: await app.products.categories(status) };
    },
  );
};
