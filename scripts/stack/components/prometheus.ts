// Prometheus 2.42 and Pushgateway 1.5 from Debian's packages, on the architecture's ports and their own
// data folders (Debian's services on 9090/9091 are never started). Prometheus reads the same
// docker/prometheus/prometheus.yml as Compose, with its targets rewritten from container names to
// the addresses the native processes listen on.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  aptInstall,
  type Component,
  type Context,
  ensureDir,
  type StackEnv,
  StackError,
  spawnDaemon,
  systemUser,
} from '../runtime.js';

const promPort = (env: StackEnv) => Number(env.PROMETHEUS_PORT);
const pushPort = (env: StackEnv) => Number(env.PUSHGATEWAY_PORT);

/**
 * The Compose config with each `'<host>:<port>'` target pointed at STACK_HOST: `prometheus` and
 * `pushgateway` take their ports from .env, `<name>-service` takes `<NAME>_PORT` when .env sets it.
 * An unknown host is an error rather than a target that silently never answers.
 */
function nativePrometheusConfig(composeYaml: string, env: StackEnv): string {
  return composeYaml.replace(/'([a-z][a-z0-9-]*):(\d+)'/g, (_match, host: string, port: string) => {
    let nativePort: string | undefined;
    if (host === 'prometheus') nativePort = env.PROMETHEUS_PORT;
    else if (host === 'pushgateway') nativePort = env.PUSHGATEWAY_PORT;
    else if (host.endsWith('-service')) {
      nativePort = env[`${host.slice(0, -'-service'.length).toUpperCase()}_PORT`] ?? port;
    } else
      throw new StackError(`docker/prometheus/prometheus.yml: no native address for target host ${host}`);
    return `'${env.STACK_HOST}:${nativePort}'`;
  });
}

async function httpReady(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.body?.cancel();
  return res.status === 200;
}

const prometheus: Component = {
  name: 'prometheus',
  summary: 'Prometheus 2.42 (scrapes the twelve services and the pushgateway)',
  order: 50,
  address: (env) => `http://${env.STACK_HOST}:${promPort(env)}`,
  ports: (env) => [promPort(env)],
  async install(ctx) {
    await aptInstall(ctx, ['prometheus']);
  },
  async start(ctx: Context) {
    // The package's unprivileged user; Prometheus needs no more than its own folder.
    const user = await systemUser('prometheus');
    const data = ensureDir(path.join(ctx.dir, 'data'), user);
    const config = path.join(ctx.dir, 'prometheus.yml');
    const shared = readFileSync(path.join(ctx.root, 'docker/prometheus/prometheus.yml'), 'utf8');
    writeFileSync(
      config,
      `# Generated from docker/prometheus/prometheus.yml on every start; edit that file instead.\n${nativePrometheusConfig(shared, ctx.env)}`,
    );
    spawnDaemon(
      ctx,
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${data}`,
        '--storage.tsdb.retention.time=7d',
        `--web.listen-address=${ctx.env.STACK_HOST}:${promPort(ctx.env)}`,
        // Lets scripts reload a changed config (POST /-/reload) without losing the in-memory head block.
        '--web.enable-lifecycle',
      ],
      { user, cwd: ctx.dir },
    );
  },
  ready: (ctx) => httpReady(`http://${ctx.env.STACK_HOST}:${promPort(ctx.env)}/-/ready`),
  readyTimeoutMs: 60_000,
};

const pushgateway: Component = {
  name: 'pushgateway',
  summary: 'Prometheus Pushgateway 1.5 (scenario figures)',
  order: 50,
  address: (env) => `http://${env.STACK_HOST}:${pushPort(env)}`,
  ports: (env) => [pushPort(env)],
  async install(ctx) {
    await aptInstall(ctx, ['prometheus-pushgateway']);
  },
  async start(ctx) {
    const user = await systemUser('prometheus');
    const data = ensureDir(path.join(ctx.dir, 'data'), user);
    spawnDaemon(
      ctx,
      'prometheus-pushgateway',
      [
        `--web.listen-address=${ctx.env.STACK_HOST}:${pushPort(ctx.env)}`,
        // A scenario's verdict outlives a restart of the stack.
        `--persistence.file=${path.join(data, 'metrics.store')}`,
        '--persistence.interval=30s',
      ],
      { user, cwd: ctx.dir },
    );
  },
  ready: (ctx) => httpReady(`http://${ctx.env.STACK_HOST}:${pushPort(ctx.env)}/-/ready`),
  readyTimeoutMs: 30_000,
};

export default [prometheus, pushgateway] satisfies Component[];
