// Exchange rates over HTTP and through the `rates:update` command, against a real PostgreSQL database of
// this file's own.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, bearer, buildTestApp, createTestDatabase, type TestDatabase } from '../helper.js';

const serviceDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let db: TestDatabase;
let app: App;
let admin: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await buildTestApp({ PRICING_DATABASE_URL: db.url });
  admin = bearer(app, 'admin-1', ['admin']);
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

function load(payload: unknown) {
  return app.inject({
    method: 'POST',
    url: '/rates',
    headers: admin,
    payload: payload as Record<string, unknown>,
  });
}

async function count(
  sql = 'SELECT count(*)::int AS n FROM exchange_rates',
  values: unknown[] = [],
): Promise<number> {
  return (await db.pool.query(sql, values)).rows[0].n;
}

describe('POST /rates', () => {
  const doc = {
    base: 'EUR',
    asOf: '2025-06-01T00:00:00Z',
    source: 'ecb',
    rates: { USD: '1.0834', JPY: 165.2 },
  };

  it('stores rates with their instant; the same rates again change nothing', async () => {
    expect((await load(doc)).json()).toEqual({ inserted: 2, unchanged: 0 });
    expect((await load(doc)).json()).toEqual({ inserted: 0, unchanged: 2 });
  });

  it('answers 409 RATE_CONFLICT for another rate at a stored instant, and stores none of the load', async () => {
    const before = await count();
    const res = await load({ ...doc, rates: { GBP: '0.85', USD: '1.2' } });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'RATE_CONFLICT' });
    expect(res.json().detail).toContain('USD');
    expect(await count()).toBe(before);
  });

  it('answers 400 naming the field for another base, a bad rate or an unknown currency', async () => {
    const cases: [unknown, string][] = [
      [{ ...doc, base: 'USD' }, 'body.base'],
      [{ ...doc, rates: { USD: '-1' } }, 'body.rates.USD'],
      [{ ...doc, rates: { USD: 'cheap' } }, 'body.rates.USD'],
      [{ ...doc, asOf: 'now' }, 'body.asOf'],
    ];
    for (const [payload, field] of cases) {
      const res = await load(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(JSON.stringify(res.json().errors)).toContain(field);
    }
    const unknown = await load({ ...doc, rates: { XYZ: '1' } });
    expect(unknown.statusCode).toBe(400);
  });

  it('answers 403 for a service token', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/rates',
      headers: bearer(app, 'cart-service', ['service']),
      payload: doc,
    });
    expect(res.statusCode).toBe(403);
  });
});

describe('GET /rates', () => {
  it('lists the newest rate of each currency, and one currency newest first', async () => {
    await load({ base: 'EUR', asOf: '2025-06-03T00:00:00Z', rates: { USD: '1.09' } });
    const newest = (await app.inject({ method: 'GET', url: '/rates' })).json();
    expect(newest.base).toBe('EUR');
    expect(newest.rates.find((r: { currency: string }) => r.currency === 'USD')).toEqual({
      base: 'EUR',
      currency: 'USD',
      rate: '1.09',
      asOf: '2025-06-03T00:00:00.000Z',
      source: 'manual',
    });
    const history = (await app.inject({ method: 'GET', url: '/rates/USD?limit=1' })).json();
    expect(history.items.map((r: { rate: string }) => r.rate)).toEqual(['1.09']);
    const older = (
      await app.inject({ method: 'GET', url: `/rates/USD?before=${history.items[0].asOf}` })
    ).json();
    expect(older.items.map((r: { rate: string }) => r.rate)).toEqual(['1.0834']);
    expect((await app.inject({ method: 'GET', url: '/rates/XYZ' })).statusCode).toBe(400);
  });
});

/** Runs `rates:update` from source, as `pnpm rates:update -- …` runs it from dist. */
function ratesUpdate(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/update-rates.ts', ...args], {
      cwd: serviceDir,
      env: { ...process.env, PRICING_DATABASE_URL: db.url, INIT_CWD: cwd },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

// Each run starts Node with a TypeScript loader: seconds, not milliseconds.
describe('rates:update', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pricing-rates-'));
  const asOf = '2025-07-01T00:00:00.000Z';
  const atGenerated = 'SELECT count(*)::int AS n FROM exchange_rates WHERE as_of = $1';

  it('--generate --seed loads the same rates for the same seed: a second run stores nothing new', async () => {
    const first = await ratesUpdate(
      ['--generate', '--seed', '7', '--as-of', asOf, '--out', 'seed7.json'],
      dir,
    );
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('stored 8 rates, 0 already stored');
    expect(await count(atGenerated, [asOf])).toBe(8);
    const again = await ratesUpdate(['--generate', '--seed', '7', '--as-of', asOf], dir);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('stored 0 rates, 8 already stored');
    // The written file (relative to where pnpm was invoked) is a rates file holding the same rates.
    const written = JSON.parse(readFileSync(path.join(dir, 'seed7.json'), 'utf8'));
    expect(written).toMatchObject({ base: 'EUR', asOf, source: 'generated:seed=7' });
    const stored = await db.pool.query('SELECT currency, rate::text FROM exchange_rates WHERE as_of = $1', [
      asOf,
    ]);
    for (const row of stored.rows) expect(Number(row.rate)).toBe(Number(written.rates[row.currency]));
  });

  it('refuses another seed for the same instant with exit 65 and stores nothing', async () => {
    const before = await count();
    const other = await ratesUpdate(['--generate', '--seed', '8', '--as-of', asOf], dir);
    expect(other.code).toBe(65);
    expect(other.stderr).toContain('RATE_CONFLICT');
    expect(await count()).toBe(before);
  });

  it('--file loads one document or a list, relative to where it was invoked', async () => {
    writeFileSync(
      path.join(dir, 'rates.json'),
      JSON.stringify([
        { base: 'EUR', asOf: '2025-08-01T00:00:00Z', source: 'file', rates: { USD: '1.11', INR: '92.5' } },
        { base: 'EUR', asOf: '2025-08-02T00:00:00Z', source: 'file', rates: { USD: '1.12' } },
      ]),
    );
    // As pnpm hands them over from `pnpm rates:update -- --file rates.json`.
    const res = await ratesUpdate(['--', '--file', 'rates.json'], dir);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('stored 3 rates');
    expect(await count("SELECT count(*)::int AS n FROM exchange_rates WHERE source = 'file'")).toBe(3);
  });

  it('exits 64 naming the problem for a bad file or missing arguments, storing nothing', async () => {
    writeFileSync(
      path.join(dir, 'bad.json'),
      JSON.stringify({ base: 'EUR', asOf: '2025-09-01T00:00:00Z', rates: { USD: 'x' } }),
    );
    const before = await count();
    const bad = await ratesUpdate(['--file', 'bad.json'], dir);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('rates.USD');
    const usage = await Promise.all(
      [[], ['--generate'], ['--generate', '--seed', 'x'], ['--file', 'missing.json'], ['--bogus']].map(
        (args) => ratesUpdate(args, dir),
      ),
    );
    expect(usage.map((r) => r.code)).toEqual([64, 64, 64, 64, 64]);
    expect(await count()).toBe(before);
  });
});
