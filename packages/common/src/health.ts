import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** One dependency the service needs to answer requests; `check` throws or rejects when it is down. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<unknown>;
  /** Optional dependencies (a cache) are reported but do not make the service unready. */
  optional?: boolean;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  optional: boolean;
  ms: number;
  error?: string;
}

/** Runs every check concurrently, each bounded by `timeoutMs`. */
export async function runChecks(checks: ReadinessCheck[], timeoutMs: number): Promise<CheckResult[]> {
  return Promise.all(
    checks.map(async (c) => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          c.check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        return {
          name: c.name,
          ok: true,
          optional: !!c.optional,
          ms: Math.round(performance.now() - started),
        };
      } catch (err) {
        return {
          name: c.name,
          ok: false,
          optional: !!c.optional,
          ms: Math.round(performance.now() - started),
          error: err instanceof Error ? err.message : String(err),
        };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Registers a dependency for GET /ready; call from the plugin that owns the dependency. */
    addReadinessCheck(check: ReadinessCheck): void;
  }
}

/** GET /health (the process answers) and GET /ready (every dependency answers in time). */
export const healthPlugin = fp(
  async (app: FastifyInstance, options: { timeoutMs?: number }) => {
    const checks: ReadinessCheck[] = [];
    const timeoutMs = options.timeoutMs ?? 1500;
    app.decorate('addReadinessCheck', (check: ReadinessCheck) => {
      checks.push(check);
    });
    app.get('/health', { schema: { hide: true }, config: { public: true } }, async () => ({ status: 'ok' }));
    app.get('/ready', { schema: { hide: true }, config: { public: true } }, async (_request, reply) => {
      const results = await runChecks(checks, timeoutMs);
      const failing = results.filter((r) => !r.ok && !r.optional).map((r) => r.name);
      if (failing.length > 0) {
        reply.status(503).type('application/problem+json');
        return {
          type: 'https://errors.ecommerce-lab.dev/not-ready',
          title: 'The service is not ready',
          status: 503,
          detail: `failing: ${failing.join(', ')}`,
          code: 'NOT_READY',
          failing,
          checks: results,
        };
      }
      return { status: 'ready', checks: results };
    });
  },
  { name: 'kit-health' },
);
