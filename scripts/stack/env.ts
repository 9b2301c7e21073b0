// One source of ports and credentials for the native runtime, Compose and the services:
// .env.example (documented defaults), then .env (the user's overrides), then the process environment.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function loadStackEnv(): Readonly<Record<string, string>> {
  const merged: Record<string, string> = {};
  for (const file of ['.env.example', '.env']) {
    const full = path.join(root, file);
    if (existsSync(full)) Object.assign(merged, parseEnv(readFileSync(full, 'utf8')));
  }
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && key in merged) merged[key] = value;
  }
  return Object.freeze(merged);
}

export function stackDir(env: Readonly<Record<string, string>>): string {
  return path.resolve(root, env.STACK_DIR ?? '.stack');
}
