// The CouchDB API natively: pouchdb-server (express-pouchdb over LevelDB) from npm, installed into the stack
// cache rather than the workspace so that no service can come to depend on it. It speaks the single-node
// CouchDB API the catalog needs (_changes, Mango, _bulk_docs, attachments); Compose runs CouchDB itself.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  type Component,
  type Context,
  ensureDir,
  run,
  type StackEnv,
  StackError,
  spawnDaemon,
} from '../runtime.js';

const version = '4.2.0';

/** The databases the services use; bootstrap creates them and closes them to anonymous users. */
const databases = ['catalog'] as const;

const installDir = (ctx: Context) => path.join(ctx.cacheDir, 'npm', 'pouchdb-server');

function baseUrl(env: StackEnv): string {
  return `http://${env.STACK_HOST}:${env.COUCHDB_PORT}`;
}

async function couch(env: StackEnv, method: string, urlPath: string, body?: unknown): Promise<Response> {
  const auth = Buffer.from(`${env.COUCHDB_USER}:${env.COUCHDB_PASSWORD}`).toString('base64');
  return fetch(`${baseUrl(env)}${urlPath}`, {
    method,
    headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
}

const couchdb: Component = {
  name: 'couchdb',
  summary: `pouchdb-server ${version} (CouchDB API, LevelDB)`,
  order: 15,
  address: baseUrl,
  ports: (env) => [Number(env.COUCHDB_PORT)],
  async install(ctx) {
    const dir = installDir(ctx);
    const marker = path.join(dir, `.complete-${version}`);
    if (existsSync(marker)) return;
    ctx.log(`installing pouchdb-server ${version} from npm (first run only)`);
    mkdirSync(dir, { recursive: true });
    await run(
      'npm',
      ['install', '--prefix', dir, '--no-audit', '--no-fund', '--omit=dev', `pouchdb-server@${version}`],
      { timeoutMs: 900_000 },
    );
    // npm 11 runs no install scripts by default, so leveldown is never compiled: it must load from the
    // prebuilt binaries it ships. Fail here, at install, rather than at the first write.
    try {
      await run('node', ['-e', "require('leveldown')"], { cwd: dir });
    } catch (err) {
      throw new StackError(
        `leveldown has no usable prebuilt binary on this machine: ${(err as Error).message}`,
      );
    }
    writeFileSync(marker, new Date().toISOString());
  },
  async start(ctx) {
    const data = ensureDir(path.join(ctx.dir, 'data'));
    const config = path.join(ctx.dir, 'config.json');
    // Rewritten on every start so a changed COUCHDB_PASSWORD applies; express-pouchdb replaces the
    // plain-text admin password by its PBKDF2 hash as it loads the file.
    writeFileSync(
      config,
      `${JSON.stringify(
        {
          admins: { [ctx.env.COUCHDB_USER!]: ctx.env.COUCHDB_PASSWORD },
          // express-pouchdb writes a CouchDB-style log and the server echoes it, readable, to stdout.
          log: { file: path.join(ctx.dir, 'pouchdb-server.log'), level: 'info' },
        },
        null,
        2,
      )}\n`,
      { mode: 0o600 },
    );
    spawnDaemon(ctx, 'node', [
      // express-pouchdb predates Node 15, where an unhandled rejection began to end the process: several
      // routes leave the promise of an already answered request unhandled (an anonymous PUT /<db>/_security
      // answers 401, then kills the server). Node's old behaviour, a warning, is what the code expects.
      '--unhandled-rejections=warn',
      // Answers 401 where express-pouchdb 4.2 would crash on a non-admin database creation.
      '--require',
      path.join(ctx.root, 'docker/native/couchdb/admin-guard.cjs'),
      path.join(installDir(ctx), 'node_modules/pouchdb-server/bin/pouchdb-server'),
      '--host',
      ctx.env.STACK_HOST!,
      '--port',
      ctx.env.COUCHDB_PORT!,
      '--dir',
      `${data}/`,
      '--config',
      config,
      '--no-color',
    ]);
  },
  async ready(ctx) {
    const welcome = await fetch(`${baseUrl(ctx.env)}/`, { signal: AbortSignal.timeout(2000) });
    const body = (await welcome.json()) as Record<string, unknown>;
    // The welcome document names express-pouchdb where CouchDB would say `couchdb`.
    if (!('express-pouchdb' in body) && !('couchdb' in body)) return false;
    // And the admin credentials work: the config file was read and its password hashed.
    return (await couch(ctx.env, 'GET', '/_all_dbs')).status === 200;
  },
  readyTimeoutMs: 60_000,
  async bootstrap(ctx) {
    for (const db of databases) {
      const created = await couch(ctx.env, 'PUT', `/${db}`);
      // 412: it exists already.
      if (created.status !== 201 && created.status !== 412) {
        throw new StackError(`could not create database ${db}: ${created.status} ${await created.text()}`);
      }
      // Without members, CouchDB 2 and pouchdb-server let anonymous clients read and write; CouchDB 3
      // closes new databases to everyone but admins. The same rule here on both runtimes.
      const user = ctx.env.COUCHDB_USER!;
      const security = await couch(ctx.env, 'PUT', `/${db}/_security`, {
        admins: { names: [user], roles: [] },
        members: { names: [user], roles: ['_admin'] },
      });
      if (!security.ok) {
        throw new StackError(`could not secure database ${db}: ${security.status} ${await security.text()}`);
      }
    }
    ctx.log(`databases in place: ${databases.join(', ')}`);
  },
};

export default couchdb;
