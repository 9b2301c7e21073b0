import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migratePostgres } from '@shop/common';

/** The folder of this service's SQL migrations, next to this file in src/ and in dist/. */
export const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export function migrate(connectionString: string, log?: (message: string) => void): Promise<string[]> {
  return migratePostgres({ connectionString, dir: migrationsDir, ...(log ? { log } : {}) });
}

// `pnpm migrate`: apply pending migrations and exit.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const url = process.env.CUSTOMER_DATABASE_URL;
  if (!url) {
    console.error('CUSTOMER_DATABASE_URL is not set');
    process.exit(78);
  }
  const applied = await migrate(url);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'nothing to apply');
}
