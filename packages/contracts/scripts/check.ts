// `pnpm contracts:check [--url <registry>]`: would every schema in the working tree be accepted? Checks the
// conventions locally, then asks the registry about each subject (against every registered version).
// Exits 1 naming each failing subject and why; a subject not registered yet passes as "new".
import { checkContract } from '../src/admin.js';
import { conventionProblems } from '../src/contract-files.js';
import { cli, run } from './cli.js';

run(async () => {
  const { url, contracts } = cli();
  let failed = 0;
  for (const contract of contracts) {
    const problems = conventionProblems(contract);
    if (problems.length > 0) {
      failed++;
      console.log(`FAIL ${contract.subject}: ${contract.file} breaks the conventions`);
      for (const problem of problems) console.log(`     - ${problem}`);
      continue;
    }
    const result = await checkContract(url, contract);
    if (result.verdict === 'incompatible') {
      failed++;
      console.log(`FAIL ${result.subject}: not compatible (BACKWARD_TRANSITIVE) with what is registered`);
      for (const reason of result.reasons) console.log(`     - ${reason}`);
    } else {
      console.log(`ok   ${result.subject}: ${result.verdict}`);
    }
  }
  console.log(`${contracts.length - failed} of ${contracts.length} contracts pass against ${url}`);
  return failed > 0 ? 1 : 0;
});
