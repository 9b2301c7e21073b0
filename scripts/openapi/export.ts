// `pnpm openapi`: builds every service's app without listening or touching its stores, and writes its
// OpenAPI 3.1 document to docs/api/<service>.yaml. Each service exports buildApp (dist/app.js) and
// configSchema (dist/config.js); the configuration comes from .env.example like everything else.
// Each service is exported in a process of its own: the services share one zod, whose global registry of
// named schemas would otherwise carry one service's components into the next one's document.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseConfig, writeOpenApi } from '@shop/common';
import { stackEnv } from '@shop/testing';
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';

const root = path.resolve(import.meta.dirname, '../..');
const services = readdirSync(path.join(root, 'services'))
  .filter((d) => d.endsWith('-service'))
  .sort();
const only = process.argv[2];
if (!only) {
  let failed = 0;
  for (const folder of services) {
    const child = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, folder], {
      stdio: 'inherit',
    });
    if (child.status !== 0) failed += 1;
  }
  process.exit(failed ? 1 : 0);
}
let failed = 0;
for (const folder of services.filter((f) => f === only)) {
  const dist = path.join(root, 'services', folder, 'dist');
  if (!existsSync(path.join(dist, 'app.js'))) {
    console.error(`${folder}: not built (run pnpm build)`);
    failed += 1;
    continue;
  }
  const { buildApp } = (await import(pathToFileURL(path.join(dist, 'app.js')).href)) as {
    buildApp: (config: unknown) => Promise<FastifyInstance>;
  };
  const { configSchema } = (await import(pathToFileURL(path.join(dist, 'config.js')).href)) as {
    configSchema: z.ZodType;
  };
  const app = await buildApp(parseConfig(configSchema, stackEnv()));
  await app.ready();
  const file = path.join(root, 'docs/api', `${folder.replace(/-service$/, '')}.yaml`);
  writeOpenApi(app, file);
  await app.close();
  console.log(`${folder}: ${path.relative(root, file)}`);
}
process.exit(failed ? 1 : 0);
