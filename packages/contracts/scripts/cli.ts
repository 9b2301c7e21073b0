// What register.ts and check.ts share: where the contracts are and which registry to talk to.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stackEnv } from '@shop/testing';
import { type ContractFile, loadContracts } from '../src/contract-files.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface Cli {
  url: string;
  contracts: ContractFile[];
}

/** `--url` wins, then SCHEMA_REGISTRY_URL, then the local stack's .env; `--dir` defaults to schema-contracts/. */
export function cli(): Cli {
  const { values } = parseArgs({ options: { url: { type: 'string' }, dir: { type: 'string' } } });
  const url = values.url ?? process.env.SCHEMA_REGISTRY_URL ?? stackEnv().SCHEMA_REGISTRY_URL;
  if (!url) throw new Error('no registry: pass --url or set SCHEMA_REGISTRY_URL');
  const dir = path.resolve(values.dir ?? path.join(here, '../../../schema-contracts'));
  return { url, contracts: loadContracts(dir) };
}

/** Runs `main`, printing a failure as one line and exiting non-zero. */
export function run(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
