// `pnpm bench <suite>`: load on loopback (autocannon for HTTP, the broker for events), each figure next to
// a baseline measured in the same run on the same machine, reported as a ratio. Bounded in time; targets
// only 127.0.0.1.
// A suite is a file in ./suites default-exporting a function that returns figures, baseline first.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Columns, type Figure, httpColumns } from './lib.js';

async function main(): Promise<void> {
  const dir = path.join(import.meta.dirname, 'suites');
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.replace(/\.ts$/, ''));
  const name = process.argv[2];
  if (!name || !names.includes(name)) {
    console.error(`usage: pnpm bench <${names.join('|')}>`);
    process.exit(2);
  }
  const mod = (await import(pathToFileURL(path.join(dir, `${name}.ts`)).href)) as {
    default: () => Promise<Figure[]>;
    columns?: Columns;
  };
  // Suites that do not measure HTTP name their own rate and failure columns.
  const columns = mod.columns ?? httpColumns;
  console.log(`bench ${name}: ${columns.summary}`);
  const figures = await mod.default();
  const baseline = figures[0]!;
  const width = Math.max(36, ...figures.map((f) => f.name.length));
  console.log(
    [
      'target'.padEnd(width),
      columns.rate.padStart(8),
      'p50 ms'.padStart(7),
      'p99 ms'.padStart(7),
      columns.failures.padStart(8),
      'vs baseline'.padStart(12),
    ].join(' '),
  );
  for (const f of figures) {
    const ratio = f.requestsPerSecond / baseline.requestsPerSecond;
    console.log(
      [
        f.name.padEnd(width),
        String(f.requestsPerSecond).padStart(8),
        String(f.p50ms).padStart(7),
        String(f.p99ms).padStart(7),
        String(f.non2xx).padStart(8),
        `${ratio.toFixed(2)}x`.padStart(12),
      ].join(' '),
    );
  }
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
