import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const dir = fileURLToPath(new URL('..', import.meta.url));

describe('telemetry preload', () => {
  it('gives every request a server span that continues an incoming traceparent', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', '--import', './src/telemetry.ts', 'test/fixtures/traced-server.mjs'],
      { cwd: dir, env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '' }, timeout: 30_000 },
    );
    const seen = JSON.parse(stdout.trim().split('\n').pop()!) as { continued: string; fresh: string };
    expect(seen.continued).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(seen.fresh).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.fresh).not.toBe(seen.continued);
  }, 40_000);
});
