import { type Claims, problemResponses, type RoutesPlugin } from '@shop/common';
import { normalizeEmail } from '../domain/customer.js';
import { fail } from '../errors.js';
import { DevTokenBody, DevTokenResponse } from './schemas.js';

const expiresIn = 3600;

/**
 * The development identity: tokens for seeded customers, an admin or a service, without a password.
 * Only registered when CUSTOMER_DEV_TOKENS=1; a real deployment would use an identity provider.
 */
export const tokenRoutes: RoutesPlugin<{ enabled: boolean }> = async (app, options) => {
  app.post(
    '/auth/dev-token',
    {
      config: { public: true },
      schema: {
        summary: 'Issue a development token',
        description:
          'Send `{customerId}` or `{email}` for a customer token, or `{role: "admin"|"service"}`. Disabled unless CUSTOMER_DEV_TOKENS=1.',
        tags: ['auth'],
        body: DevTokenBody,
        response: { 200: DevTokenResponse, ...problemResponses(400, 404, 503) },
      },
    },
    async (request) => {
      if (!options.enabled)
        throw fail('DEV_TOKENS_DISABLED', 'set CUSTOMER_DEV_TOKENS=1 to enable this endpoint');
      const body = request.body;
      let claims: Claims;
      if ('role' in body) {
        claims = { sub: body.subject ?? body.role, roles: [body.role] };
      } else {
        const customer =
          'customerId' in body
            ? await app.customers.get(body.customerId)
            : await app.customers.getByEmail(normalizeEmail(body.email));
        if (!customer)
          throw fail('CUSTOMER_NOT_FOUND', 'no customer matches; seed customers with `make seed`');
        claims = { sub: customer.id, roles: ['customer'], email: customer.email };
      }
      const token = app.jwt.sign(claims, { expiresIn });
      return { token, tokenType: 'Bearer' as const, expiresIn, subject: claims.sub, roles: claims.roles };
    },
  );
};
