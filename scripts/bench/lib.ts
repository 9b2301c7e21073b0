// Shared by every bench suite: autocannon load on loopback and a bare Fastify baseline process.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { stackEnv } from '@shop/testing';
import autocannon from 'autocannon';

export const env = stackEnv();
export const duration = Number(process.env.BENCH_SECONDS ?? 10);
export const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);

/**
 * One measured target. HTTP suites fill it from autocannon; a suite that measures something else reuses the
 * rate and failure fields and names them through its `columns` export (see `Columns`).
 */
export interface Figure {
  name: string;
  /** Requests per second, or the unit the suite's `columns.rate` names (events/s for `events`). */
  requestsPerSecond: number;
  p50ms: number;
  p99ms: number;
  /** Non-2xx answers, or the failures the suite's `columns.failures` names (lost events for `events`). */
  non2xx: number;
}

/**
 * The table's headings for the rate and failure columns, and the line printed before the run. A suite module
 * may export one as `columns`; without it the HTTP ones apply.
 */
export interface Columns {
  rate: string;
  failures: string;
  summary: string;
}

export const httpColumns: Columns = {
  rate: 'req/s',
  failures: 'non-2xx',
  summary: `${connections} connections, ${duration}s per target, after a 2s warm-up`,
};

export async function load(name: string, url: string, headers: Record<string, string> = {}): Promise<Figure> {
  // A short warm-up first, so JIT and caches are in the state the measurement is about.
  await autocannon({ url, headers, connections, duration: 2 });
  const result = await autocannon({ url, headers, connections, duration });
  return {
    name,
    requestsPerSecond: Math.round(result.requests.average),
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    non2xx: result.non2xx,
  };
}

/** A bare Fastify hello-world in its own process, like the service it is compared with. */
export async function startBaseline(): Promise<{ url: string; child: ChildProcess }> {
  const code = `
    const app = require('fastify')();
    app.get('/', async () => ({ hello: 'world' }));
    app.listen({ port: 0, host: '127.0.0.1' }).then((addr) => console.log(addr));`;
  const child = spawn(process.execPath, ['-e', code], {
    cwd: import.meta.dirname,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  return { url: `${chunk.toString().trim()}/`, child };
}
