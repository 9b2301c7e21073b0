// `pnpm contracts:register [--url <registry>]`: pins every subject to BACKWARD_TRANSITIVE and registers
// each schema of schema-contracts/ under `<topic>-value`. Idempotent; stops at a schema the registry refuses.
import { registerContract } from '../src/admin.js';
import { cli, run } from './cli.js';

run(async () => {
  const { url, contracts } = cli();
  let created = 0;
  for (const contract of contracts) {
    const result = await registerContract(url, contract);
    if (result.created) created++;
    console.log(`${result.created ? 'registered' : 'unchanged '} ${result.subject} (id ${result.id})`);
  }
  console.log(
    `${contracts.length} subjects at BACKWARD_TRANSITIVE, ${created} new versions, registry ${url}`,
  );
  return 0;
});
