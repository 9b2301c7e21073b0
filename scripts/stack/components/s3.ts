// S3Proxy from Maven Central with its filesystem backend: the real S3 API (signature v2 and v4, presigned
// URLs, multipart) over plain files under .stack/s3/data, so objects survive a restart. Compose runs MinIO on
// the same port with the same keys; clients see no difference.
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'minio';
import {
  aptInstall,
  type Component,
  type Context,
  ensureDir,
  mavenFetch,
  type StackEnv,
  StackError,
  spawnDaemon,
} from '../runtime.js';

// Any region works against S3Proxy; naming one stops the client from asking for each bucket's location.
const region = 'us-east-1';

/** The buckets the services write to: S3_BUCKETS in .env.example, the one list Compose reads too. */
export function bucketNames(env: StackEnv): string[] {
  const names = (env.S3_BUCKETS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const invalid = names.filter((b) => !/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(b));
  if (invalid.length > 0)
    throw new StackError(`S3_BUCKETS holds invalid bucket names: ${invalid.join(', ')}`);
  return names;
}

function client(env: StackEnv): Client {
  return new Client({
    endPoint: env.STACK_HOST!,
    port: Number(env.S3_PORT),
    useSSL: false,
    pathStyle: true,
    region,
    accessKey: env.S3_ACCESS_KEY!,
    secretKey: env.S3_SECRET_KEY!,
  });
}

const pomFile = (ctx: Context) => path.join(ctx.root, 'docker/native/s3/pom.xml');

async function fatJar(ctx: Context): Promise<string> {
  const lib = await mavenFetch(ctx, 's3proxy', pomFile(ctx)); // cached after the first call
  const jar = readdirSync(lib).find((f) => f.endsWith('-jar-with-dependencies.jar'));
  if (!jar) throw new StackError(`no S3Proxy jar in ${lib}; run \`pnpm stack clean s3\``);
  return path.join(lib, jar);
}

const s3: Component = {
  name: 's3',
  summary: 'S3Proxy (S3 API, filesystem backend)',
  order: 15,
  address: (env) => `http://${env.STACK_HOST}:${env.S3_PORT}`,
  ports: (env) => [Number(env.S3_PORT)],
  async install(ctx) {
    await aptInstall(ctx, ['openjdk-17-jre-headless', 'maven']);
    await fatJar(ctx);
  },
  async start(ctx) {
    const data = ensureDir(path.join(ctx.dir, 'data'));
    const properties = path.join(ctx.dir, 's3proxy.properties');
    writeFileSync(
      properties,
      [
        `s3proxy.endpoint=http://${ctx.env.STACK_HOST}:${ctx.env.S3_PORT}`,
        's3proxy.authorization=aws-v2-or-v4',
        `s3proxy.identity=${ctx.env.S3_ACCESS_KEY}`,
        `s3proxy.credential=${ctx.env.S3_SECRET_KEY}`,
        'jclouds.provider=filesystem',
        `jclouds.filesystem.basedir=${data}`,
        '',
      ].join('\n'),
      { mode: 0o600 }, // holds the secret key
    );
    spawnDaemon(
      ctx,
      'java',
      [
        // Left alone the JVM takes a quarter of the machine's memory for its heap.
        '-Xms64m',
        '-Xmx256m',
        // One user, small objects: the serial collector costs the least memory beside the heap.
        '-XX:+UseSerialGC',
        '-XX:+ExitOnOutOfMemoryError',
        // Logback otherwise prints its own configuration steps at every start.
        '-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener',
        '-jar',
        await fatJar(ctx),
        '--properties',
        properties,
      ],
      // S3Proxy's logback reads LOG_LEVEL; the services' LOG_LEVEL in a developer's shell must not leak in.
      { env: { ...process.env, LOG_LEVEL: 'info' } },
    );
  },
  async ready(ctx) {
    // A signed call, not a port check: proves the keys match as well as that Jetty listens.
    await client(ctx.env).listBuckets();
    return true;
  },
  readyTimeoutMs: 60_000,
  async bootstrap(ctx) {
    const s3Client = client(ctx.env);
    const created: string[] = [];
    for (const bucket of bucketNames(ctx.env)) {
      if (await s3Client.bucketExists(bucket)) continue;
      await s3Client.makeBucket(bucket, region);
      created.push(bucket);
    }
    ctx.log(created.length > 0 ? `created buckets: ${created.join(', ')}` : 'buckets in place');
  },
};

export default s3;
