// Redis 7 from Debian's package, on its own port and data folder, with an append-only file so that
// what a service wrote survives a restart of the stack.
import path from 'node:path';
import { Redis } from 'ioredis';
import { aptInstall, type Component, ensureDir, spawnDaemon } from '../runtime.js';

const redis: Component = {
  name: 'redis',
  summary: 'Redis 7',
  order: 10,
  address: (env) => `redis://${env.STACK_HOST}:${env.REDIS_PORT}`,
  ports: (env) => [Number(env.REDIS_PORT)],
  async install(ctx) {
    await aptInstall(ctx, ['redis-server']);
  },
  async start(ctx) {
    const data = ensureDir(path.join(ctx.dir, 'data'));
    spawnDaemon(ctx, 'redis-server', [
      '--port',
      ctx.env.REDIS_PORT!,
      '--bind',
      ctx.env.STACK_HOST!,
      '--dir',
      data,
      '--appendonly',
      'yes',
      '--save',
      '',
      '--daemonize',
      'no',
      '--maxmemory',
      '512mb',
    ]);
  },
  async ready(ctx) {
    const client = new Redis({
      host: ctx.env.STACK_HOST,
      port: Number(ctx.env.REDIS_PORT),
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: 1000,
    });
    client.on('error', () => undefined); // a refused probe is an answer, not a crash
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } finally {
      client.disconnect();
    }
  },
};

export default redis;
