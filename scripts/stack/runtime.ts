// The native runtime's vocabulary: what a component definition is, and the process, port, install and
// probe helpers every definition shares. A component is one file in ./components that default-exports a
// `Component`; the CLI discovers them, so adding a server is adding a definition.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export type StackEnv = Readonly<Record<string, string>>;

export interface Context {
  /** The repository root. */
  readonly root: string;
  /** Ports, credentials and switches from .env.example, .env and the process, in that order. */
  readonly env: StackEnv;
  /** `.stack/<component>`: this component's own folder (data, logs, pid). */
  readonly dir: string;
  /** `.stack/cache`: downloads shared by every component (Maven jars, npm installs). */
  readonly cacheDir: string;
  readonly logFile: string;
  readonly pidFile: string;
  log(message: string): void;
}

export interface Component {
  readonly name: string;
  readonly summary: string;
  /** Start order: lower first. Components that other components need come first. */
  readonly order: number;
  /** `host:port` or URL a user would connect to. */
  address(env: StackEnv): string;
  /** Every TCP port the component listens on; checked to be free before it starts. */
  ports(env: StackEnv): number[];
  /** Only available under Docker Compose; the native runtime lists it as such. */
  readonly composeOnly?: boolean;
  /** Idempotent and cached: a second call installs nothing. */
  install?(ctx: Context): Promise<void>;
  /** Prepares data on first use and starts the process in the background, writing ctx.pidFile. */
  start?(ctx: Context): Promise<void>;
  /** One probe over the component's real protocol; true once it serves. */
  ready?(ctx: Context): Promise<boolean>;
  readonly readyTimeoutMs?: number;
  /** Runs once every component is ready: databases, users, topics, connectors. Idempotent. */
  bootstrap?(ctx: Context): Promise<void>;
  /**
   * The bootstrap speaks only the component's network protocol, so it also runs after `docker compose up`
   * (the ports are the same). Components whose images initialise themselves leave this unset.
   */
  readonly bootstrapUnderCompose?: boolean;
  /** Defaults to SIGTERM to the process group in ctx.pidFile, then SIGKILL after a grace period. */
  stop?(ctx: Context): Promise<void>;
}

export class StackError extends Error {}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs a command to completion and returns its stdout; throws with its stderr on failure. */
export async function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; uid?: number; gid?: number; timeoutMs?: number } = {},
): Promise<string> {
  try {
    const { stdout } = await execFileAsync(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      uid: opts.uid,
      gid: opts.gid,
      timeout: opts.timeoutMs ?? 600_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    const detail = (e.stderr || e.stdout || e.message).toString().trim().split('\n').slice(-15).join('\n');
    throw new StackError(`${cmd} ${args.join(' ')} failed:\n${detail}`);
  }
}

/** Whether a command exists on PATH. */
export async function hasCommand(cmd: string): Promise<boolean> {
  try {
    await execFileAsync('sh', ['-c', `command -v ${cmd}`]);
    return true;
  } catch {
    return false;
  }
}

export interface SystemUser {
  uid: number;
  gid: number;
  name: string;
}

/** Looks up an unprivileged system user (servers such as postgres refuse to run as root). */
export async function systemUser(name: string): Promise<SystemUser> {
  const uid = Number((await run('id', ['-u', name])).trim());
  const gid = Number((await run('id', ['-g', name])).trim());
  return { uid, gid, name };
}

/** Starts a long-running process detached, its output appended to ctx.logFile, its pid in ctx.pidFile. */
export function spawnDaemon(
  ctx: Context,
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; user?: SystemUser } = {},
): number {
  mkdirSync(path.dirname(ctx.logFile), { recursive: true });
  const fd = openSync(ctx.logFile, 'a');
  const child = spawn(cmd, args, {
    cwd: opts.cwd ?? ctx.dir,
    env: opts.env ?? process.env,
    detached: true,
    stdio: ['ignore', fd, fd],
    uid: opts.user?.uid,
    gid: opts.user?.gid,
  });
  closeSync(fd);
  if (child.pid === undefined) throw new StackError(`could not start ${cmd}`);
  child.unref();
  writeFileSync(ctx.pidFile, `${child.pid}\n`);
  return child.pid;
}

export function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped) still answers kill(0).
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/** `first` (SIGTERM) to the process group, SIGKILL after `graceMs`; removes the pid file. */
export async function stopPid(
  pidFile: string,
  graceMs = 30_000,
  first: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  const pid = readPid(pidFile);
  if (pid !== undefined && isAlive(pid)) {
    signal(pid, first);
    const deadline = Date.now() + graceMs;
    while (isAlive(pid) && Date.now() < deadline) await sleep(200);
    if (isAlive(pid)) signal(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(100);
  }
  rmSync(pidFile, { force: true });
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

/** Resident memory of a process and its descendants, in bytes. */
export function residentBytes(pid: number): number {
  let total = 0;
  const pending = [pid];
  while (pending.length > 0) {
    const p = pending.pop()!;
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      const match = /VmRSS:\s+(\d+) kB/.exec(status);
      if (match) total += Number(match[1]) * 1024;
      const children = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim();
      if (children) pending.push(...children.split(/\s+/).map(Number));
    } catch {
      // process exited meanwhile
    }
  }
  return total;
}

/** True when something accepts TCP connections on host:port. */
export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Last lines of a log file, for a failure message. */
export function tail(file: string, lines = 30): string {
  if (!existsSync(file)) return '(no log written)';
  const text = readFileSync(file, 'utf8');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

let aptUpdated = false;

/** Installs Debian packages that are not installed yet. */
export async function aptInstall(ctx: Context, packages: string[]): Promise<void> {
  const missing: string[] = [];
  for (const pkg of packages) {
    try {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
      const out = await run('dpkg-query', ['-W', '-f=${Status}', pkg]);
      if (!out.includes('install ok installed')) missing.push(pkg);
    } catch {
      missing.push(pkg);
    }
  }
  if (missing.length === 0) return;
  ctx.log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    await run('apt-get', ['update', '-q'], { env });
    aptUpdated = true;
  }
  // Debian's packages start their own servers on the default ports; policy-rc.d keeps them from doing so.
  const policy = '/usr/sbin/policy-rc.d';
  const hadPolicy = existsSync(policy);
  if (!hadPolicy) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env });
  } finally {
    if (!hadPolicy) rmSync(policy, { force: true });
  }
}

/**
 * Resolves a Maven project (a pom.xml kept in the repo under docker/native/<name>/) and copies its runtime
 * dependencies into `<cacheDir>/maven/<name>/lib`. Cached by the pom's hash: a second call downloads nothing.
 * Returns the folder of jars.
 */
export async function mavenFetch(ctx: Context, name: string, pomFile: string): Promise<string> {
  const pom = readFileSync(pomFile);
  const hash = createHash('sha256').update(pom).digest('hex').slice(0, 16);
  const outDir = path.join(ctx.cacheDir, 'maven', name);
  const lib = path.join(outDir, 'lib');
  const marker = path.join(outDir, `.complete-${hash}`);
  if (existsSync(marker)) return lib;
  ctx.log(`downloading ${name} from Maven Central (first run only)`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await run(
    'mvn',
    [
      '-B',
      '-q',
      '-f',
      pomFile,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${lib}`,
      '-DincludeScope=runtime',
    ],
    { timeoutMs: 1_800_000 },
  );
  writeFileSync(marker, new Date().toISOString());
  return lib;
}

export function ensureDir(dir: string, owner?: SystemUser): string {
  mkdirSync(dir, { recursive: true });
  if (owner) chownTree(dir, owner);
  return dir;
}

function chownTree(dir: string, owner: SystemUser): void {
  // Only the component's own folder is handed over; its parents stay root-owned but traversable.
  execFileSync('chown', ['-R', `${owner.uid}:${owner.gid}`, dir]);
}

export function fileExists(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
