import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { stringify } from 'yaml';

/** The OpenAPI 3.1 document of a ready app, as YAML. */
export function openApiYaml(app: FastifyInstance): string {
  return stringify((app as unknown as { swagger(): unknown }).swagger(), { aliasDuplicateObjects: false });
}

/** Writes `docs/api/<service>.yaml` (or any path) for a built, ready app. */
export function writeOpenApi(app: FastifyInstance, file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, openApiYaml(app));
}
