import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, tokenFor } from './helper.js';

let app: Awaited<ReturnType<typeof buildTestApp>>;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(() => app.close());

describe('auth', () => {
  it('answers 401 to a mutating route without a token', async () => {
    const res = await app.inject({ method: 'POST', url: '/widgets', payload: { name: 'a', size: 1 } });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('UNAUTHENTICATED');
  });

  it('answers 401 to a forged token', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/widgets',
      headers: {
        authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4Iiwicm9sZXMiOlsiYWRtaW4iXX0.invalid',
      },
      payload: { name: 'a', size: 1 },
    });
    expect(res.statusCode).toBe(401);
  });

  it('accepts a mutating route with any valid token', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/widgets',
      headers: { authorization: tokenFor(app, 'c1', ['customer']) },
      payload: { name: 'a', size: 1 },
    });
    expect(res.statusCode).toBe(201);
  });

  it('lets a public mutating route through without a token', async () => {
    const res = await app.inject({ method: 'POST', url: '/public' });
    expect(res.statusCode).toBe(200);
  });

  it('answers 403 when the role is missing and lets admin through', async () => {
    const denied = await app.inject({
      method: 'GET',
      url: '/services',
      headers: { authorization: tokenFor(app, 'c1', ['customer']) },
    });
    expect(denied.statusCode).toBe(403);
    const svc = await app.inject({
      method: 'GET',
      url: '/services',
      headers: { authorization: tokenFor(app, 'cart', ['service']) },
    });
    expect(svc.json()).toEqual({ sub: 'cart' });
    const admin = await app.inject({
      method: 'GET',
      url: '/services',
      headers: { authorization: tokenFor(app, 'ops', ['admin']) },
    });
    expect(admin.statusCode).toBe(200);
  });

  it('answers 401 to a role-guarded read without a token', async () => {
    const res = await app.inject({ method: 'GET', url: '/admin-only' });
    expect(res.statusCode).toBe(401);
  });
});
