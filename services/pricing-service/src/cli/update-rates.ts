// `pnpm --filter @shop/pricing-service rates:update -- --file rates.json`
// `pnpm --filter @shop/pricing-service rates:update -- --generate --seed 42 [--as-of 2025-06-01T00:00:00Z] [--out rates.json]`
// Loads exchange rates into pricing's database, all in one transaction. --generate makes them from a seed
// (the same seed gives the same rates on any machine), so development never needs an outside network.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createPgPool, DomainError, isUnavailable } from '@shop/common';
import { migrate } from '../db/migrate.js';
import { createRateRepository } from '../db/rate-repository.js';
import { formatDecimal } from '../domain/money.js';
import { generateRates, parseRatesFile, type RatesDocument, ratesDocumentJson } from '../domain/rates.js';

const usage = `usage: rates:update -- --file <rates.json>
       rates:update -- --generate --seed <n> [--as-of <ISO-8601>] [--out <file>]

A rates file is {"base": "EUR", "asOf": "...", "source": "...", "rates": {"USD": "1.0834", ...}} or a list
of them. PRICING_DATABASE_URL names the database (the repository's .env or .env.example when unset).`;

class UsageError extends Error {}

/** The documents the arguments ask for. Relative paths are from where pnpm was invoked. */
export function documentsFromArgs(
  argv: string[],
  now: Date,
  cwd: string,
): { documents: RatesDocument[]; out?: string } {
  const { values } = parseArgs({
    // `pnpm rates:update -- --file x` hands the script the `--` itself.
    args: argv[0] === '--' ? argv.slice(1) : argv,
    options: {
      file: { type: 'string' },
      generate: { type: 'boolean', default: false },
      seed: { type: 'string' },
      'as-of': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: false,
    strict: true,
  });
  if (values.help) throw new UsageError(usage);
  if (values.file && values.generate) throw new UsageError('use either --file or --generate');
  if (values.file) {
    const file = path.resolve(cwd, values.file);
    if (!existsSync(file)) throw new UsageError(`${file} does not exist`);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new UsageError(`${file} is not JSON: ${(err as Error).message}`);
    }
    const parsed = parseRatesFile(json);
    if ('issues' in parsed) {
      throw new UsageError(`${file} is not a rates file:\n${parsed.issues.map((i) => `  ${i}`).join('\n')}`);
    }
    return parsed;
  }
  if (values.generate) {
    if (values.seed === undefined || !/^\d{1,9}$/.test(values.seed))
      throw new UsageError('--generate needs --seed <a whole number>');
    const asOf = values['as-of'] === undefined ? now : new Date(values['as-of']);
    if (Number.isNaN(asOf.getTime()))
      throw new UsageError(`--as-of ${values['as-of']} is not an ISO-8601 instant`);
    const documents = [generateRates(Number(values.seed), asOf)];
    return { documents, ...(values.out ? { out: path.resolve(cwd, values.out) } : {}) };
  }
  throw new UsageError(usage);
}

function databaseUrl(): string | undefined {
  if (process.env.PRICING_DATABASE_URL) return process.env.PRICING_DATABASE_URL;
  // Local development: the same values the stack runs with. loadEnvFile never overrides a set variable.
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
  for (const file of ['.env', '.env.example']) {
    const full = path.join(root, file);
    if (existsSync(full)) {
      process.loadEnvFile(full);
      if (process.env.PRICING_DATABASE_URL) return process.env.PRICING_DATABASE_URL;
    }
  }
  return undefined;
}

async function main(): Promise<number> {
  let request: { documents: RatesDocument[]; out?: string };
  try {
    request = documentsFromArgs(process.argv.slice(2), new Date(), process.env.INIT_CWD ?? process.cwd());
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error((err as Error).message);
      return 64; // EX_USAGE
    }
    throw err;
  }
  const { documents, out } = request;
  if (out) {
    writeFileSync(out, `${JSON.stringify(documents.map(ratesDocumentJson)[0], null, 2)}\n`);
    console.log(`wrote ${out}`);
  }
  const url = databaseUrl();
  if (!url) {
    console.error('PRICING_DATABASE_URL is not set');
    return 78; // EX_CONFIG
  }
  await migrate(url);
  const pool = createPgPool({ connectionString: url, max: 1 });
  try {
    const result = await createRateRepository(pool).load(documents);
    for (const doc of documents) {
      const rates = Object.entries(doc.rates)
        .map(([currency, rate]) => `${currency} ${formatDecimal(rate)}`)
        .join(', ');
      console.log(`EUR as of ${doc.asOf.toISOString()} (${doc.source}): ${rates}`);
    }
    console.log(`stored ${result.inserted} rates, ${result.unchanged} already stored`);
    return 0;
  } catch (err) {
    if (err instanceof DomainError) {
      console.error(`${err.code}: ${err.message}`);
      return 65; // EX_DATAERR
    }
    if (isUnavailable(err)) {
      console.error(`the database is unreachable: ${(err as Error).message}`);
      return 69; // EX_UNAVAILABLE
    }
    throw err;
  } finally {
    await pool.end();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
