// PostgreSQL 15 from Debian's package, on its own data folder and port, run as the unprivileged
// `postgres` user (initdb and postgres refuse root). wal_level=logical for Debezium.
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import {
  aptInstall,
  type Component,
  type Context,
  ensureDir,
  run,
  StackError,
  spawnDaemon,
  stopPid,
  systemUser,
} from '../runtime.js';

function binDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  const version = versions.includes('15') ? '15' : versions[0];
  if (!version) throw new StackError('PostgreSQL binaries not found under /usr/lib/postgresql');
  return path.join(base, version, 'bin');
}

const superuser = (ctx: Context) => ({
  host: ctx.env.STACK_HOST,
  port: Number(ctx.env.POSTGRES_PORT),
  user: ctx.env.POSTGRES_SUPERUSER,
  password: ctx.env.POSTGRES_PASSWORD,
  database: 'postgres',
});

const postgres: Component = {
  name: 'postgres',
  summary: 'PostgreSQL 15 (logical WAL)',
  order: 10,
  address: (env) => `postgres://${env.STACK_HOST}:${env.POSTGRES_PORT}`,
  ports: (env) => [Number(env.POSTGRES_PORT)],
  async install(ctx) {
    await aptInstall(ctx, ['postgresql', 'postgresql-client']);
  },
  async start(ctx) {
    const user = await systemUser('postgres');
    const data = path.join(ctx.dir, 'data');
    const run_ = ensureDir(path.join(ctx.dir, 'run'), user);
    if (!existsSync(path.join(data, 'PG_VERSION'))) {
      ctx.log('initialising a new cluster');
      ensureDir(data, user);
      const pwfile = path.join(run_, 'pwfile');
      writeFileSync(pwfile, `${ctx.env.POSTGRES_PASSWORD}\n`, { mode: 0o600 });
      ensureDir(run_, user);
      await run(
        path.join(binDir(), 'initdb'),
        [
          '-D',
          data,
          '-U',
          ctx.env.POSTGRES_SUPERUSER!,
          `--pwfile=${pwfile}`,
          '--auth-local=trust',
          '--auth-host=scram-sha-256',
          '-E',
          'UTF8',
          '--locale=C',
        ],
        { uid: user.uid, gid: user.gid, cwd: ctx.dir },
      );
      rmSync(pwfile);
      writeFileSync(
        path.join(data, 'pg_hba.conf'),
        [
          'local all all trust',
          'host all all 127.0.0.1/32 scram-sha-256',
          'host all all ::1/128 scram-sha-256',
          'host replication all 127.0.0.1/32 scram-sha-256',
          'host replication all ::1/128 scram-sha-256',
          '',
        ].join('\n'),
      );
    }
    spawnDaemon(
      ctx,
      path.join(binDir(), 'postgres'),
      [
        '-D',
        data,
        '-p',
        ctx.env.POSTGRES_PORT!,
        '-c',
        `listen_addresses=${ctx.env.STACK_HOST}`,
        '-c',
        `unix_socket_directories=${run_}`,
        '-c',
        'wal_level=logical',
        '-c',
        'max_wal_senders=10',
        '-c',
        'max_replication_slots=10',
        '-c',
        'max_connections=300',
        '-c',
        'shared_buffers=256MB',
        '-c',
        'fsync=on',
      ],
      { user, cwd: ctx.dir },
    );
  },
  async ready(ctx) {
    const client = new pg.Client({ ...superuser(ctx), connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } finally {
      await client.end().catch(() => undefined);
    }
  },
  readyTimeoutMs: 60_000,
  async bootstrap(ctx) {
    const env = { ...process.env, PGPASSWORD: ctx.env.POSTGRES_PASSWORD };
    await run(
      'psql',
      [
        '-v',
        'ON_ERROR_STOP=1',
        '-q',
        '-h',
        ctx.env.STACK_HOST!,
        '-p',
        ctx.env.POSTGRES_PORT!,
        '-U',
        ctx.env.POSTGRES_SUPERUSER!,
        '-d',
        'postgres',
        '-f',
        path.join(ctx.root, 'docker/postgres/init.sql'),
      ],
      { env },
    );
    ctx.log('roles and databases in place');
  },
  async stop(ctx) {
    // SIGINT is PostgreSQL's "fast" shutdown: clients are disconnected, nothing committed is lost.
    await stopPid(ctx.pidFile, 60_000, 'SIGINT');
  },
};

export default postgres;
