import { createHmac } from 'node:crypto';

/**
 * An HS256 token the services accept (the same secret and issuer as the stack's .env). Scenarios act as an
 * operator (`admin`) or as a backend (`service`); nothing here is a credential beyond the dev stack's.
 */
export function signToken(
  env: NodeJS.ProcessEnv,
  sub: string,
  roles: ('admin' | 'service' | 'customer')[],
  ttlSeconds = 3600,
): string {
  const secret = env.JWT_SECRET;
  if (!secret) throw new Error('JWT_SECRET is not set (.env.example holds the development value)');
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({
    sub,
    roles,
    iss: env.JWT_ISSUER ?? 'ecommerce-lab',
    iat: now,
    exp: now + ttlSeconds,
  })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

export interface JsonAnswer<T = unknown> {
  status: number;
  body: T;
}

/** A JSON call with a bound; network failures answer status 0 rather than throwing, so scenarios can count them. */
export async function call<T = unknown>(
  url: string,
  init: {
    method?: string;
    token?: string;
    body?: unknown;
    headers?: Record<string, string>;
    timeoutMs?: number;
  } = {},
): Promise<JsonAnswer<T>> {
  try {
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      headers: {
        accept: 'application/json',
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(init.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: body as T };
  } catch (err) {
    return { status: 0, body: { error: (err as Error).message } as T };
  }
}

/** Answers null when every service answers /ready, else which do not. */
export async function notReady(urls: Record<string, string>): Promise<string[] | null> {
  const missing: string[] = [];
  await Promise.all(
    Object.entries(urls).map(async ([name, url]) => {
      const res = await call(`${url}/ready`, { timeoutMs: 3000 });
      if (res.status !== 200) missing.push(`${name} (${url}: ${res.status || 'unreachable'})`);
    }),
  );
  return missing.length ? missing.sort() : null;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
