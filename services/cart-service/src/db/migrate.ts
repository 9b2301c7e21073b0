import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrateMysql } from '@shop/common';

/** The folder of this service's SQL migrations, next to this file in src/ and in dist/. */
export const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export function migrate(uri: string, log?: (message: string) => void): Promise<string[]> {
  return migrateMysql({ uri, dir: migrationsDir, ...(log ? { log } : {}) });
}

// `pnpm migrate`: apply pending migrations and exit.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const uri = process.env.CART_DATABASE_URL;
  if (!uri) {
    console.error('CART_DATABASE_URL is not set');
    process.exit(78);
  }
  const applied = await migrate(uri);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'nothing to apply');
}
