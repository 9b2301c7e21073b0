// `pnpm bench checkout`: sustained completed checkouts per second and the time from `POST /orders` to the
// order being confirmed (the saga's reserve → authorize → commit → capture → confirm), next to the commit
// ceilings of the two databases the path writes to, measured in the same run at the same concurrency: a
// single-row INSERT committed into MariaDB (the baseline: order-service's store) and into PostgreSQL
// (payment's). Needs order, inventory and payment services with the saga runner (make up).
//
// Options: `pnpm bench checkout [--seconds N] [--buyers N] [--skus N] [--poll-ms N]`, or BENCH_SECONDS
// (default 20), BENCH_CONNECTIONS (buyers and database connections, default 32), BENCH_CHECKOUT_SKUS
// (default 1: one fresh SKU, every reservation on the same stock row), BENCH_CHECKOUT_POLL_MS (default 100).
//
// How a checkout is timed: each buyer posts an order (service token, its own cart and Idempotency-Key, the
// PSP approving at once, sagaMode fixed) and reads it back until it is final. The confirmation time is the
// order's own `updatedAt` from the confirming transaction (read in the GET that first sees `confirmed`), not
// the moment the poll happened to look, so the poll interval adds no latency to the figure; it only sets how
// soon the buyer moves on to its next order, and a slower poll keeps the reads from loading order-service.
// (Waiting on order.status.changed.v1 instead would add the outbox → Debezium → Kafka delay to every figure.)
// Services and this process share one clock; a timestamp outside [request, observation] falls back to the
// observation and is counted in the detail line.
import { randomUUID } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { call, signToken, sleep } from '../../scenario/lib/http.js';
import { type Columns, connections, env, type Figure } from '../lib.js';

/** `--name N` on the command line, else the environment variable, else the default; always a positive int. */
function option(name: string, variable: string, fallback: number, max: number): number {
  const args = process.argv.slice(3);
  const at = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  const raw =
    at < 0 ? process.env[variable] : args[at]!.includes('=') ? args[at]!.split('=')[1] : args[at + 1];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new Error(`--${name} (${variable}) must be an integer from 1 to ${max}, not ${raw}`);
  return value;
}

// Bounds keep a run under two minutes: ceilings 2 × (1 + 5) s, warm-up 3 s, window ≤ 60 s, drain ≤ 20 s.
const seconds = option('seconds', 'BENCH_SECONDS', 20, 60);
const buyers = option('buyers', 'BENCH_CONNECTIONS', connections, 256);
const skuCount = option('skus', 'BENCH_CHECKOUT_SKUS', 1, 64);
const pollMs = option('poll-ms', 'BENCH_CHECKOUT_POLL_MS', 100, 2000);
const ceilingSeconds = 5;
const warmupMs = 3000;
const drainMs = 20_000;
/** The issue's goals for the checkout figure. */
const goal = { perSecond: 100, p99ms: 1500 };

export const columns: Columns = {
  rate: 'per s',
  failures: 'failed',
  summary:
    `${buyers} connections / buyers; database ceilings ${ceilingSeconds}s each (single-row INSERT, ` +
    `autocommit), checkouts ${seconds}s after a ${warmupMs / 1000}s warm-up on ${skuCount} fresh SKU(s). ` +
    'per s = commits/s, or orders confirmed per second of the window; p50/p99 = one commit, or POST /orders ' +
    '→ order confirmed; failed = errors, or orders not confirmed',
};

const host = env.STACK_HOST ?? '127.0.0.1';
const orderUrl = `http://${host}:${env.ORDER_PORT}`;
const inventoryUrl = `http://${host}:${env.INVENTORY_PORT}`;
const paymentUrl = `http://${host}:${env.PAYMENT_PORT}`;
const region = 'eu-west';

// Every figure here creates and drops scratch databases as root: only ever on this machine's stack.
if (host !== '127.0.0.1' && host !== 'localhost')
  throw new Error(`bench checkout only targets 127.0.0.1, not STACK_HOST=${host}`);

/** Wall-clock milliseconds with sub-millisecond resolution, comparable with the services' timestamps. */
const now = () => performance.timeOrigin + performance.now();

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(Math.ceil(q * sorted.length) - 1, sorted.length - 1)]!;
}
const round = (ms: number) => Math.round(ms);

function phase(title: string): void {
  // Everything shares this machine's cores with the stack: a busy machine explains a slow figure.
  console.log(`- ${title} (load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores)`);
}

/** Runs `write` from `concurrency` loops for `ms`, after a one-second warm-up; one figure from the timings. */
async function commitRate(name: string, concurrency: number, write: () => Promise<unknown>): Promise<Figure> {
  const run = async (ms: number) => {
    const latencies: number[] = [];
    let failures = 0;
    const end = now() + ms;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (now() < end) {
          const started = now();
          try {
            await write();
            latencies.push(now() - started);
          } catch {
            failures++;
          }
        }
      }),
    );
    return { latencies, failures };
  };
  await run(1000);
  const { latencies, failures } = await run(ceilingSeconds * 1000);
  latencies.sort((a, b) => a - b);
  return {
    name,
    requestsPerSecond: Math.round(latencies.length / ceilingSeconds),
    p50ms: round(percentile(latencies, 0.5)),
    p99ms: round(percentile(latencies, 0.99)),
    non2xx: failures,
  };
}

const scratch = (run: string) => `bench_checkout_${run}`;

/** Drops of the scratch databases that exist right now, run by the figure's finally or on Ctrl-C. */
const drops = new Set<() => Promise<unknown>>();
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    console.error(`\nbench checkout: ${signal}, dropping the scratch databases`);
    void Promise.allSettled([...drops].map((drop) => drop())).finally(() => process.exit(130));
  });
const rowSql = '(id CHAR(36) PRIMARY KEY, payload VARCHAR(255) NOT NULL, created_at TIMESTAMP(6) NOT NULL)';

/** MariaDB: a scratch database and table as root, single-row autocommit INSERTs from a pool of `size`. */
async function mariadbCeiling(run: string, size: number): Promise<Figure> {
  const database = scratch(run);
  const admin = await mysql.createConnection({
    host,
    port: Number(env.MYSQL_PORT),
    user: 'root',
    password: env.MYSQL_ROOT_PASSWORD,
  });
  const drop = () => admin.query(`DROP DATABASE IF EXISTS ${database}`);
  drops.add(drop);
  try {
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.query(`CREATE TABLE ${database}.bench_commits ${rowSql}`);
    const pool = mysql.createPool({
      host,
      port: Number(env.MYSQL_PORT),
      user: 'root',
      password: env.MYSQL_ROOT_PASSWORD,
      database,
      connectionLimit: size,
    });
    try {
      return await commitRate(`MariaDB INSERT+COMMIT (${size} conn.)`, size, () =>
        pool.query('INSERT INTO bench_commits VALUES (?, ?, NOW(6))', [randomUUID(), 'checkout-bench']),
      );
    } finally {
      await pool.end();
    }
  } finally {
    await drop().catch(() => undefined);
    drops.delete(drop);
    await admin.end();
  }
}

/** PostgreSQL: the same, in a scratch database made by the superuser. */
async function postgresCeiling(run: string, size: number): Promise<Figure> {
  const database = scratch(run);
  const connection = {
    host,
    port: Number(env.POSTGRES_PORT),
    user: env.POSTGRES_SUPERUSER,
    password: env.POSTGRES_PASSWORD,
  };
  const admin = new pg.Client({ ...connection, database: 'postgres' });
  admin.on('error', () => undefined);
  await admin.connect();
  const drop = () => admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  drops.add(drop);
  try {
    await admin.query(`CREATE DATABASE ${database}`);
    const pool = new pg.Pool({ ...connection, database, max: size });
    // A connection cut from outside (another run's cleanup, a restart) fails its query, counted as a
    // failure; an idle one cut must not crash the bench.
    pool.on('error', () => undefined);
    try {
      await pool.query(`CREATE TABLE bench_commits ${rowSql}`);
      return await commitRate(`PostgreSQL INSERT+COMMIT (${size} conn.)`, size, () =>
        pool.query('INSERT INTO bench_commits VALUES ($1, $2, now())', [randomUUID(), 'checkout-bench']),
      );
    } finally {
      await pool.end();
    }
  } finally {
    await drop().catch(() => undefined);
    drops.delete(drop);
    await admin.end();
  }
}

interface OrderAnswer {
  id: string;
  status: string;
  statusReason: string | null;
  updatedAt: string;
}

/** What happened to one order placed in the measured window. */
interface Checkout {
  outcome: 'confirmed' | 'cancelled' | 'refused' | 'unsettled';
  detail: string;
  /** POST /orders sent → confirmed, when confirmed. */
  latencyMs?: number;
  /** When it was confirmed (the confirming transaction's time). */
  confirmedAt?: number;
  postMs: number;
  /** When each intermediate status was seen, from the order's updatedAt in the poll that saw it. */
  statusAt: Record<string, number>;
  clockFallback: boolean;
}

const finalStatuses = new Set(['confirmed', 'cancelled', 'fulfilled', 'refunded']);

async function checkouts(run: string): Promise<{ figure: Figure; details: Checkout[]; windowStart: number }> {
  const admin = signToken(env, 'bench-checkout', ['admin'], 600);
  const service = signToken(env, 'bench-checkout', ['service'], 600);
  const skus = Array.from({ length: skuCount }, (_, i) => `BENCH-CHECKOUT-${run}-${i + 1}`.toUpperCase());
  for (const sku of skus) {
    const stocked = await call(`${inventoryUrl}/stock/adjustments`, {
      method: 'POST',
      token: admin,
      headers: { 'idempotency-key': `bench-${sku}` },
      body: { sku, warehouseId: `WH-${region}`, region, delta: 1_000_000, reason: 'received' },
    });
    if (stocked.status !== 200)
      throw new Error(`stocking ${sku} answered ${stocked.status}: ${JSON.stringify(stocked.body)}`);
  }
  console.log(
    `    ${skus.length === 1 ? skus[0] : `${skus.length} SKUs`}: 1,000,000 units each in ${region}`,
  );

  const t0 = now();
  const windowStart = t0 + warmupMs;
  const windowEnd = windowStart + seconds * 1000;
  const drainEnd = windowEnd + drainMs;
  const measured: Checkout[] = [];
  let placed = 0;
  let polls = 0;

  const checkout = async (buyer: number, n: number): Promise<Checkout> => {
    const key = `bench-${run}-${buyer}-${n}`;
    const started = now();
    const created = await call<OrderAnswer>(`${orderUrl}/orders`, {
      method: 'POST',
      token: service,
      headers: { 'idempotency-key': key },
      body: {
        cartId: key,
        customerId: `bench-buyer-${buyer}`,
        region,
        currency: 'EUR',
        lines: [{ sku: skus[(buyer + n) % skus.length], quantity: 1, unitPriceMinor: 1999 }],
        sagaMode: 'fixed',
        psp: { behaviour: 'approve' },
      },
    });
    const postMs = now() - started;
    const result: Checkout = { outcome: 'refused', detail: '', postMs, statusAt: {}, clockFallback: false };
    if (created.status !== 201) {
      result.detail = `POST ${created.status || 'network error'}`;
      return result;
    }
    const id = created.body.id;
    let order = created.body;
    while (!finalStatuses.has(order.status)) {
      if (now() > drainEnd) {
        result.outcome = 'unsettled';
        result.detail = `still ${order.status}`;
        return result;
      }
      await sleep(pollMs);
      polls++;
      const read = await call<OrderAnswer>(`${orderUrl}/orders/${id}`, { token: service });
      if (read.status !== 200) continue;
      order = read.body;
      if (!finalStatuses.has(order.status)) result.statusAt[order.status] ??= Date.parse(order.updatedAt);
    }
    const observed = now();
    if (order.status !== 'confirmed') {
      result.outcome = 'cancelled';
      result.detail = `${order.status} ${order.statusReason ?? ''}`.trim();
      return result;
    }
    let confirmedAt = Date.parse(order.updatedAt);
    // The service's clock is this machine's; allow a millisecond of rounding either way.
    if (!(confirmedAt >= started - 1 && confirmedAt <= observed + 1)) {
      confirmedAt = observed;
      result.clockFallback = true;
    }
    result.outcome = 'confirmed';
    result.confirmedAt = confirmedAt;
    result.latencyMs = Math.max(0, confirmedAt - started);
    return result;
  };

  const confirmedInWindow: number[] = [];
  const buyer = async (b: number) => {
    for (let n = 0; now() < windowEnd; n++) {
      const startedAt = now();
      placed++;
      const c = await checkout(b, n).catch(
        (err: unknown): Checkout => ({
          outcome: 'refused',
          detail: (err as Error).message,
          postMs: 0,
          statusAt: {},
          clockFallback: false,
        }),
      );
      if (c.confirmedAt !== undefined && c.confirmedAt >= windowStart && c.confirmedAt < windowEnd)
        confirmedInWindow.push(c.confirmedAt);
      if (startedAt >= windowStart) measured.push(c);
    }
  };

  // Progress once a second: the window's phase and what has been confirmed so far.
  const ticker = setInterval(() => {
    const t = now();
    const stage = t < windowStart ? 'warm-up' : t < windowEnd ? 'measuring' : 'draining';
    const elapsed = Math.max(0, Math.min(t, windowEnd) - windowStart) / 1000;
    process.stdout.write(
      `\r    ${stage}: ${elapsed.toFixed(0).padStart(2)}/${seconds}s, ${placed} placed, ` +
        `${confirmedInWindow.length} confirmed in window   `,
    );
  }, 1000);
  try {
    await Promise.all(Array.from({ length: buyers }, (_, b) => buyer(b)));
  } finally {
    clearInterval(ticker);
    process.stdout.write('\n');
  }
  const latencies = measured
    .filter((c) => c.latencyMs !== undefined)
    .map((c) => c.latencyMs!)
    .sort((a, b) => a - b);
  const totalSeconds = (now() - t0) / 1000;
  console.log(`    ${placed} orders placed, ${polls} order reads (${Math.round(polls / totalSeconds)}/s)`);
  return {
    windowStart,
    details: measured,
    figure: {
      name: `checkout → confirmed (${buyers} buyers)`,
      requestsPerSecond: Math.round((confirmedInWindow.length / seconds) * 10) / 10,
      p50ms: round(percentile(latencies, 0.5)),
      p99ms: round(percentile(latencies, 0.99)),
      non2xx: measured.filter((c) => c.outcome !== 'confirmed').length,
    },
  };
}

/** Where the time of a confirmed checkout went, from the statuses the polls saw, and what failed. */
function describe(details: Checkout[], figure: Figure): void {
  const confirmed = details.filter((c) => c.outcome === 'confirmed');
  const failed = details.filter((c) => c.outcome !== 'confirmed');
  const post = details.map((c) => c.postMs).sort((a, b) => a - b);
  console.log(
    `    ${details.length} checkouts started in the window: ${confirmed.length} confirmed, ` +
      `${failed.length} not; POST /orders p50 ${round(percentile(post, 0.5))} ms, p99 ${round(percentile(post, 0.99))} ms`,
  );
  const reasons = new Map<string, number>();
  for (const c of failed)
    reasons.set(`${c.outcome}: ${c.detail}`, (reasons.get(`${c.outcome}: ${c.detail}`) ?? 0) + 1);
  for (const [reason, count] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 5))
    console.log(`      ${count} × ${reason}`);
  // Stage medians over the confirmed orders whose intermediate statuses a poll happened to catch.
  const stage = (from: (c: Checkout) => number | undefined, to: (c: Checkout) => number | undefined) => {
    const spans = confirmed
      .map((c) => {
        const a = from(c);
        const b = to(c);
        return a !== undefined && b !== undefined ? b - a : undefined;
      })
      .filter((d): d is number => d !== undefined)
      .sort((a, b) => a - b);
    return spans.length === 0 ? 'n/a' : `p50 ${round(percentile(spans, 0.5))} ms (of ${spans.length})`;
  };
  const createdAt = (c: Checkout) => (c.latencyMs === undefined ? undefined : c.confirmedAt! - c.latencyMs);
  console.log(
    `    stages: request → reserved ${stage(createdAt, (c) => c.statusAt.reserved)}, ` +
      `reserved → paid ${stage(
        (c) => c.statusAt.reserved,
        (c) => c.statusAt.paid,
      )}, paid → confirmed ${stage(
        (c) => c.statusAt.paid,
        (c) => c.confirmedAt,
      )}`,
  );
  const fallbacks = confirmed.filter((c) => c.clockFallback).length;
  if (fallbacks > 0)
    console.log(`    ${fallbacks} confirmations timed by observation (timestamp out of range)`);
  const met = figure.requestsPerSecond >= goal.perSecond && figure.p99ms < goal.p99ms;
  console.log(
    `    goal ≥ ${goal.perSecond} checkouts/s with p99 < ${goal.p99ms} ms: ${met ? 'met' : 'missed'} ` +
      `(${figure.requestsPerSecond}/s, p99 ${figure.p99ms} ms)`,
  );
}

export default async function checkoutSuite(): Promise<Figure[]> {
  const missing: string[] = [];
  for (const [name, url] of [
    ['order', orderUrl],
    ['inventory', inventoryUrl],
    ['payment', paymentUrl],
  ] as const) {
    const ready = await call(`${url}/ready`, { timeoutMs: 3000 });
    if (ready.status !== 200) missing.push(`${name}-service (${url})`);
  }
  if (missing.length > 0) throw new Error(`not ready: ${missing.join(', ')}; run \`make up\``);
  // A hard bound on the whole run, whatever a dependency does.
  const watchdog = setTimeout(() => {
    console.error('\nbench checkout: over 115 s, giving up');
    process.exit(1);
  }, 115_000);
  watchdog.unref();

  const run = randomUUID().slice(0, 8);
  phase(`MariaDB ceiling: single-row INSERT+COMMIT, ${buyers} connections, ${ceilingSeconds}s`);
  const mariadb = await mariadbCeiling(run, buyers);
  phase(`PostgreSQL ceiling: single-row INSERT+COMMIT, ${buyers} connections, ${ceilingSeconds}s`);
  const postgres = await postgresCeiling(run, buyers);
  phase(`checkouts: ${buyers} buyers, ${warmupMs / 1000}s warm-up, ${seconds}s measured, poll ${pollMs} ms`);
  const { figure, details } = await checkouts(run);
  describe(details, figure);
  // The table rounds ratios to two decimals; this one is usually far smaller.
  console.log(
    `    checkouts/s ÷ MariaDB commits/s = ${(figure.requestsPerSecond / mariadb.requestsPerSecond).toFixed(4)}` +
      ` (one checkout per ${Math.round(mariadb.requestsPerSecond / figure.requestsPerSecond)} single-row commits)`,
  );
  clearTimeout(watchdog);
  return [mariadb, postgres, figure];
}
