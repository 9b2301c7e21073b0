// Adds up the vitest JSON reports under reports/test-results and prints the one line CI reads:
// `N passed, N failed`. Steps that are not test runs (lint, typecheck, stack start) and failed are
// listed in reports/test-results/failed-steps.txt and counted as failures, so the line never hides them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const dir = path.resolve(import.meta.dirname, '../../reports/test-results');
let passed = 0;
let failed = 0;
const lines: string[] = [];
if (existsSync(dir)) {
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const report = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      success: boolean;
    };
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    lines.push(
      `  ${file.replace(/\.json$/, '').padEnd(28)} ${report.numPassedTests} passed, ${report.numFailedTests} failed`,
    );
  }
  const steps = path.join(dir, 'failed-steps.txt');
  if (existsSync(steps)) {
    for (const step of readFileSync(steps, 'utf8').split('\n').filter(Boolean)) {
      failed += 1;
      lines.push(`  step failed: ${step}`);
    }
  }
}
console.log(lines.join('\n'));
console.log(`${passed} passed, ${failed} failed`);
