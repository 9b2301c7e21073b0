// `pnpm stack up|down|status|logs|clean|bootstrap [component...]`: the one entry point behind `make up`.
// Uses Docker Compose when a Docker engine answers (or STACK_MODE=docker), else the native runtime.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadStackEnv, root, stackDir } from './env.js';
import {
  type Component,
  type Context,
  isAlive,
  portOpen,
  readPid,
  residentBytes,
  StackError,
  sleep,
  stopPid,
  tail,
} from './runtime.js';

const env = loadStackEnv();
const base = stackDir(env);

async function loadComponents(): Promise<Component[]> {
  const dir = path.join(root, 'scripts/stack/components');
  const all: Component[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort()) {
    const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as {
      default: Component | Component[];
    };
    all.push(...(Array.isArray(mod.default) ? mod.default : [mod.default]));
  }
  return all.sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
}

function contextFor(c: Component): Context {
  const dir = path.join(base, c.name);
  mkdirSync(dir, { recursive: true });
  return {
    root,
    env,
    dir,
    cacheDir: path.join(base, 'cache'),
    logFile: path.join(dir, `${c.name}.log`),
    pidFile: path.join(dir, `${c.name}.pid`),
    log: (message) => console.log(`[${c.name}] ${message}`),
  };
}

function select(all: Component[], names: string[]): Component[] {
  if (names.length === 0) return all;
  const unknown = names.filter((n) => !all.some((c) => c.name === n));
  if (unknown.length > 0) {
    throw new StackError(
      `unknown component(s): ${unknown.join(', ')}; known: ${all.map((c) => c.name).join(', ')}`,
    );
  }
  return all.filter((c) => names.includes(c.name));
}

function dockerAvailable(): boolean {
  if (env.STACK_MODE === 'native') return false;
  const ok = spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 }).status === 0;
  if (env.STACK_MODE === 'docker' && !ok)
    throw new StackError('STACK_MODE=docker but no Docker engine answers');
  return ok;
}

async function up(components: Component[]): Promise<void> {
  const native = components.filter((c) => !c.composeOnly);
  for (const c of native) await c.install?.(contextFor(c));
  for (const c of native) {
    const ctx = contextFor(c);
    if (!c.start) continue;
    if (isAlive(readPid(ctx.pidFile))) {
      // Ours and alive: it may still be starting (or a chaos switch paused part of it); wait, don't restart.
      await waitReady(c, ctx);
      ctx.log(`already running at ${c.address(env)}`);
      continue;
    }
    for (const port of c.ports(env)) {
      if (await portOpen(port)) {
        throw new StackError(
          `port ${port} needed by ${c.name} is already taken by another process; stop it or change the port in .env`,
        );
      }
    }
    const started = Date.now();
    ctx.log('starting');
    await c.start(ctx);
    await waitReady(c, ctx);
    ctx.log(`ready at ${c.address(env)} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    // Bootstrap at once, so what later components need (users, databases, topics) exists before they
    // start; every bootstrap runs again once all are up (connectors need the services' outbox tables).
    await c.bootstrap?.(ctx);
  }
  for (const c of native) {
    if (c.bootstrap) await c.bootstrap(contextFor(c));
  }
  for (const c of components.filter((x) => x.composeOnly)) {
    console.log(`[${c.name}] not run natively (Compose only): ${c.summary}`);
  }
}

async function waitReady(c: Component, ctx: Context): Promise<void> {
  const deadline = Date.now() + (c.readyTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (!isAlive(readPid(ctx.pidFile))) {
      throw new StackError(
        `${c.name} exited during start. Last lines of ${ctx.logFile}:\n${tail(ctx.logFile)}`,
      );
    }
    if (!c.ready || (await c.ready(ctx).catch(() => false))) return;
    await sleep(500);
  }
  throw new StackError(
    `${c.name} did not become ready within ${(c.readyTimeoutMs ?? 60_000) / 1000}s. Last lines of ${ctx.logFile}:\n${tail(ctx.logFile)}`,
  );
}

async function down(components: Component[]): Promise<void> {
  for (const c of [...components].reverse()) {
    if (c.composeOnly) continue;
    const ctx = contextFor(c);
    if (!isAlive(readPid(ctx.pidFile))) continue;
    ctx.log('stopping');
    await (c.stop ? c.stop(ctx) : stopPid(ctx.pidFile));
  }
}

async function status(components: Component[]): Promise<void> {
  const rows: string[][] = [['component', 'address', 'state', 'memory']];
  let total = 0;
  for (const c of components) {
    if (c.composeOnly) {
      rows.push([c.name, c.address(env), 'compose only (not run natively)', '-']);
      continue;
    }
    const ctx = contextFor(c);
    const pid = readPid(ctx.pidFile);
    const alive = isAlive(pid);
    const ready = alive && (c.ready ? await c.ready(ctx).catch(() => false) : true);
    const rss = alive ? residentBytes(pid!) : 0;
    total += rss;
    rows.push([
      c.name,
      c.address(env),
      alive ? (ready ? 'running' : 'starting/unhealthy') : 'stopped',
      alive ? `${(rss / 2 ** 20).toFixed(0)} MiB` : '-',
    ]);
  }
  rows.push(['total', '', '', `${(total / 2 ** 20).toFixed(0)} MiB`]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
}

function compose(args: string[]): void {
  const result = spawnSync('docker', ['compose', ...args], { stdio: 'inherit', cwd: root });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

async function main(): Promise<void> {
  const [command = 'status', ...names] = process.argv.slice(2);
  const all = await loadComponents();
  const chosen = select(all, names);
  const useDocker = command !== 'status' && dockerAvailable();
  switch (command) {
    case 'up':
      if (useDocker) {
        compose(['up', '-d', '--wait', ...names]);
        for (const c of chosen.filter((x) => x.bootstrapUnderCompose && x.bootstrap))
          await c.bootstrap!(contextFor(c));
        return;
      }
      return up(chosen);
    case 'down':
      if (useDocker) return compose(['stop', ...names]);
      return down(chosen);
    case 'status':
      if (dockerAvailable()) return compose(['ps']);
      return status(chosen);
    case 'bootstrap':
      for (const c of chosen) if (c.bootstrap) await c.bootstrap(contextFor(c));
      return;
    case 'logs': {
      if (useDocker) return compose(['logs', '-f', ...names]);
      const [c] = select(all, names.slice(0, 1));
      if (!c || names.length !== 1) throw new StackError('usage: stack logs <component>');
      const file = contextFor(c).logFile;
      if (!existsSync(file)) throw new StackError(`${c.name} has written no log yet (${file})`);
      spawn('tail', ['-n', '100', '-F', file], { stdio: 'inherit' });
      return;
    }
    case 'clean':
      if (useDocker) return compose(['down', '-v']);
      await down(chosen);
      for (const c of chosen) rmSync(path.join(base, c.name), { recursive: true, force: true });
      console.log('data removed (downloads in the cache are kept)');
      return;
    default:
      throw new StackError(`unknown command ${command}; use up|down|status|logs|clean|bootstrap`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof StackError ? `stack: ${err.message}` : err);
  process.exit(1);
});
