import type { FastifyInstance } from 'fastify';

export interface ServeOptions {
  port: number;
  host: string;
  shutdownTimeoutMs: number;
}

/**
 * Listens, then on SIGTERM or SIGINT stops accepting, drains in-flight requests, runs every onClose
 * hook (pools, consumers) and exits; a drain that outlives `shutdownTimeoutMs` is cut short.
 */
export async function serve(app: FastifyInstance, options: ServeOptions): Promise<void> {
  process.on('unhandledRejection', (reason) => {
    app.log.fatal({ err: reason }, 'unhandled rejection');
    process.exit(1);
  });
  let closing = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      app.log.error({ timeoutMs: options.shutdownTimeoutMs }, 'shutdown timed out; exiting');
      process.exit(1);
    }, options.shutdownTimeoutMs);
    timer.unref();
    try {
      await app.close();
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, 'error while closing');
      process.exit(1);
    }
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  try {
    await app.listen({ port: options.port, host: options.host });
  } catch (err) {
    app.log.fatal({ err }, 'could not listen');
    process.exit(1);
  }
}
