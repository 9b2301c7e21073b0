// `pnpm contracts:check` as CI runs it, against the real subjects. Checking only reads the registry (a
// compatibility question and a dry run), so a changed copy of a real schema can be checked safely.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { subjectVersions } from '../src/index.js';
import { contractsDir, registryUrl, repoRoot } from './helper.js';

const exec = promisify(execFile);
const tsx = path.join(repoRoot, 'node_modules/.bin/tsx');
const script = (name: string) => path.join(repoRoot, 'packages/contracts/scripts', name);

async function check(dir?: string): Promise<{ code: number; out: string }> {
  const args = [script('check.ts'), '--url', registryUrl, ...(dir ? ['--dir', dir] : [])];
  try {
    const { stdout } = await exec(tsx, args, { cwd: repoRoot });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: `${e.stdout}${e.stderr}` };
  }
}

/** A folder holding order.created.v1.avsc with one field added. */
function changedCopy(field: object): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'contracts-check-'));
  const schema = JSON.parse(readFileSync(path.join(contractsDir, 'order.created.v1.avsc'), 'utf8'));
  schema.fields.push(field);
  writeFileSync(path.join(dir, 'order.created.v1.avsc'), JSON.stringify(schema, null, 2));
  return dir;
}

describe('pnpm contracts:check', () => {
  it('passes for the working tree', async () => {
    const { code, out } = await check();
    expect(out).toMatch(/24 of 24 contracts pass/);
    expect(code).toBe(0);
  });

  it('exits 1 naming the subject and the reason for a new field without a default', async () => {
    const before = await subjectVersions(registryUrl, 'order.created.v1-value');
    const { code, out } = await check(changedCopy({ name: 'coupon_code', type: 'string' }));
    expect(code).toBe(1);
    expect(out).toMatch(/FAIL order\.created\.v1-value: not compatible/);
    expect(out).toMatch(/coupon_code/);
    expect(await subjectVersions(registryUrl, 'order.created.v1-value')).toEqual(before);
  });

  it('passes a new field with a default as compatible', async () => {
    const { code, out } = await check(
      changedCopy({ name: 'coupon_code', type: ['null', 'string'], default: null }),
    );
    expect(out).toMatch(/ok {3}order\.created\.v1-value: compatible/);
    expect(code).toBe(0);
  });
});
