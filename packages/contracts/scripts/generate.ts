// Writes src/generated/ from schema-contracts/*.avsc; run by `build` before tsc.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadContracts } from '../src/contract-files.js';
import { generate } from './codegen.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const contractsDir = path.resolve(here, '../../../schema-contracts');
const outDir = path.resolve(here, '../src/generated');

const { types, schemas } = generate(loadContracts(contractsDir));
mkdirSync(outDir, { recursive: true });
for (const [file, text] of [
  ['types.ts', types],
  ['schemas.ts', schemas],
] as const) {
  const target = path.join(outDir, file);
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {}
  // Unchanged files keep their mtime, so tsc and turbo see nothing new.
  if (current !== text) writeFileSync(target, text);
}
console.log(`generated types for ${types.match(/^ {2}'/gm)?.length ?? 0} topics in src/generated/`);
