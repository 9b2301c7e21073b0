// The shop's own services as stack components: one per services/<name>-service folder, so a new service
// starts with `make up` as soon as it exists. Each runs its built dist/main.js with the telemetry preload,
// reading the same .env as everything else, and counts as ready when its GET /ready answers 200.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { root } from '../env.js';
import { type Component, StackError, spawnDaemon } from '../runtime.js';

function serviceComponent(folder: string): Component {
  const name = folder.replace(/-service$/, '');
  const portVar = `${name.toUpperCase()}_PORT`;
  const dir = path.join(root, 'services', folder);
  const port = (env: Record<string, string>) => {
    const value = Number(env[portVar]);
    if (!Number.isInteger(value) || value <= 0) throw new StackError(`${portVar} is not set in .env.example`);
    return value;
  };
  // Listing and status must work even for a service whose port is not configured yet.
  const portOrUndefined = (env: Record<string, string>) =>
    Number(env[portVar]) > 0 ? Number(env[portVar]) : undefined;
  return {
    name: folder,
    summary: `${folder} (Fastify)`,
    order: 100,
    address: (env) =>
      portOrUndefined(env) ? `http://${env.STACK_HOST}:${port(env)}` : `(${portVar} not set)`,
    ports: (env) => (portOrUndefined(env) ? [port(env)] : []),
    async start(ctx) {
      const main = path.join(dir, 'dist/main.js');
      if (!existsSync(main))
        throw new StackError(`${folder} is not built; run \`pnpm build\` (make up does)`);
      spawnDaemon(ctx, process.execPath, ['--import', '@shop/common/telemetry', main], {
        cwd: dir,
        env: { ...process.env, ...ctx.env, OTEL_SERVICE_NAME: folder },
      });
    },
    async ready(ctx) {
      if (!portOrUndefined(ctx.env)) return false;
      const res = await fetch(`http://${ctx.env.STACK_HOST}:${port(ctx.env)}/ready`, {
        signal: AbortSignal.timeout(2000),
      });
      return res.status === 200;
    },
    readyTimeoutMs: 60_000,
  };
}

const folders = readdirSync(path.join(root, 'services'), { withFileTypes: true })
  .filter(
    (d) =>
      d.isDirectory() &&
      d.name.endsWith('-service') &&
      existsSync(path.join(root, 'services', d.name, 'package.json')),
  )
  .map((d) => d.name)
  .sort();

export default folders.map(serviceComponent);
