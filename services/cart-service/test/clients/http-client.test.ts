// The kit's HTTP client as cart-service uses it, against a real HTTP server on loopback.
import { createHttpClient, DomainError } from '@shop/common';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const server = Fastify();
let url: string;
let hits = 0;
let failFirst = 0;

beforeAll(async () => {
  server.addHook('onRequest', async (_request, reply) => {
    hits += 1;
    if (failFirst > 0) {
      failFirst -= 1;
      return reply.status(503).send({ title: 'busy' });
    }
  });
  server.get('/thing', async () => ({ ok: true }));
  server.post('/thing', async () => ({ ok: true }));
  server.get('/missing', async (_request, reply) => reply.status(404).send({ code: 'NOT_FOUND' }));
  url = await server.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => server.close());

function client() {
  return createHttpClient({ name: 'thing', baseUrl: url, attempts: 3, backoff: { initialMs: 1, maxMs: 5 } });
}

async function unavailable(call: Promise<unknown>): Promise<DomainError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  expect((err as DomainError).code).toBe('DEPENDENCY_UNAVAILABLE');
  return err as DomainError;
}

describe('createHttpClient', () => {
  it('retries a GET that failed transiently and returns the answer', async () => {
    failFirst = 2;
    hits = 0;
    const res = await client().request<{ ok: boolean }>({ path: '/thing' });
    expect(res).toMatchObject({ status: 200, body: { ok: true } });
    expect(hits).toBe(3);
  });

  it('never retries a POST that did not opt in', async () => {
    failFirst = 1;
    hits = 0;
    const err = await unavailable(client().request({ method: 'POST', path: '/thing', body: {} }));
    expect(err.details).toEqual({ dependency: 'thing' });
    expect(hits).toBe(1);
  });

  it('retries a POST marked idempotent', async () => {
    failFirst = 1;
    hits = 0;
    const res = await client().request({ method: 'POST', path: '/thing', body: {}, idempotent: true });
    expect(res.status).toBe(200);
    expect(hits).toBe(2);
  });

  it('returns a 4xx to the caller without retrying or counting it against the dependency', async () => {
    const c = createHttpClient({
      name: 'thing',
      baseUrl: url,
      breaker: { failures: 1, halfOpenAfterMs: 10_000 },
    });
    hits = 0;
    for (let i = 0; i < 3; i++) expect((await c.request({ path: '/missing' })).status).toBe(404);
    expect(hits).toBe(3);
    expect(c.state).toBe('closed');
  });

  it('gives up after the attempts and reports the last reason', async () => {
    failFirst = 10;
    const err = await unavailable(client().request({ path: '/thing' }));
    expect(err.message).toBe('thing is unavailable: answered 503');
    failFirst = 0;
  });
});
