import { z } from 'zod';
import { createService, DomainError, defineErrors, kitConfigSchema, parseConfig } from '../src/index.js';

export const testConfig = parseConfig(kitConfigSchema, {
  LOG_LEVEL: 'silent',
  JWT_SECRET: 'test-secret-test-secret-test-secret-000',
});

export const testErrors = defineErrors({
  WIDGET_NOT_FOUND: { status: 404, title: 'No such widget' },
});

/** A small app on the kit with one route of each kind the kit treats specially. */
export async function buildTestApp() {
  const app = await createService({ name: 'test', config: testConfig, errors: testErrors, bodyLimit: 1024 });
  app.post(
    '/widgets',
    {
      schema: {
        body: z.strictObject({ name: z.string().min(1), size: z.number().int().positive() }),
      },
    },
    async (request, reply) => reply.status(201).send({ ...request.body, id: 'w1' }),
  );
  app.get('/widgets/:id', { schema: { params: z.object({ id: z.uuid() }) } }, async (request) => {
    throw new DomainError('WIDGET_NOT_FOUND', `widget ${request.params.id} does not exist`);
  });
  app.get('/conflict', async () => {
    throw new DomainError('WIDGET_NOT_FOUND', 'gone', { status: 'sold', code: 'X', sku: 'A1' });
  });
  app.get('/boom', async () => {
    throw new Error('secret internals');
  });
  app.get('/db-down', async () => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  });
  app.post('/public', { config: { public: true } }, async () => ({ ok: true }));
  app.get('/admin-only', { config: { roles: ['admin'] } }, async () => ({ ok: true }));
  app.get('/services', { config: { roles: ['service'] } }, async (request) => ({ sub: request.user.sub }));
  await app.ready();
  return app;
}

export function tokenFor(
  app: Awaited<ReturnType<typeof buildTestApp>>,
  sub: string,
  roles: ('customer' | 'admin' | 'service')[],
) {
  return `Bearer ${app.jwt.sign({ sub, roles })}`;
}
