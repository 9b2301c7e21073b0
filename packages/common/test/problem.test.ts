import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, tokenFor } from './helper.js';

let app: Awaited<ReturnType<typeof buildTestApp>>;
let auth: string;
beforeAll(async () => {
  app = await buildTestApp();
  auth = tokenFor(app, 'c1', ['customer']);
});
afterAll(() => app.close());

describe('problem+json errors', () => {
  it('answers 400 naming the field of a wrong type', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/widgets',
      headers: { authorization: auth },
      payload: { name: 'a', size: 'big' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json();
    expect(body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', instance: '/widgets' });
    expect(body.errors.map((e: { field: string }) => e.field)).toEqual(['body.size']);
  });

  it('answers 400 naming an unknown field', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/widgets',
      headers: { authorization: auth },
      payload: { name: 'a', size: 1, colour: 'red' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('body.colour');
  });

  it('answers 400 for malformed JSON', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/widgets',
      headers: { authorization: auth, 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('MALFORMED_BODY');
  });

  it('answers 413 for a body over the limit', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/widgets',
      headers: { authorization: auth },
      payload: { name: 'x'.repeat(2000), size: 1 },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 415 for an unsupported content type', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/widgets',
      headers: { authorization: auth, 'content-type': 'application/xml' },
      payload: '<a/>',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 400 naming a path parameter that is not a UUID', async () => {
    const res = await app.inject({ method: 'GET', url: '/widgets/not-a-uuid' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('params.id');
  });

  it('maps a domain error code to its status and title', async () => {
    const res = await app.inject({ method: 'GET', url: '/widgets/6f1c1c4e-8f1e-4c1a-9a4f-1d2b3c4d5e6f' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({
      code: 'WIDGET_NOT_FOUND',
      title: 'No such widget',
      type: expect.stringContaining('widget-not-found'),
    });
  });

  it('never lets a domain error detail replace the status or code', async () => {
    const res = await app.inject({ method: 'GET', url: '/conflict' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ status: 404, code: 'WIDGET_NOT_FOUND', sku: 'A1' });
  });

  it('hides the detail of an unexpected error', async () => {
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret internals');
    expect(res.json()).toMatchObject({ code: 'INTERNAL', requestId: expect.any(String) });
  });

  it('answers 503 with Retry-After when a dependency refuses connections', async () => {
    const res = await app.inject({ method: 'GET', url: '/db-down' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json().code).toBe('DEPENDENCY_UNAVAILABLE');
  });

  it('answers 404 problem+json for an unknown route', async () => {
    const res = await app.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('ROUTE_NOT_FOUND');
  });

  it('echoes x-request-id and uses it in the problem', async () => {
    const res = await app.inject({ method: 'GET', url: '/nope', headers: { 'x-request-id': 'req-123' } });
    expect(res.headers['x-request-id']).toBe('req-123');
    expect(res.json().requestId).toBe('req-123');
  });
});
