// Fetching a runnable application that Maven Central publishes as an archive (Apicurio Registry's `all`
// zip). The runtime's mavenFetch resolves a dependency tree, which fails when an archive's pom names a parent
// pom that Central does not serve; unpacking the declared artifact alone needs no descriptor at all.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Context, run } from '../runtime.js';

/**
 * Unpacks the `artifactItems` configured in a pom kept under docker/native/<name>/ into
 * `<cacheDir>/maven/<name>/app`. Cached by the pom's hash: a second call downloads nothing.
 * Returns the folder the archive was unpacked into.
 */
export async function mavenUnpack(ctx: Context, name: string, pomFile: string): Promise<string> {
  const hash = createHash('sha256').update(readFileSync(pomFile)).digest('hex').slice(0, 16);
  const outDir = path.join(ctx.cacheDir, 'maven', name);
  const app = path.join(outDir, 'app');
  const marker = path.join(outDir, `.complete-${hash}`);
  if (existsSync(marker)) return app;
  ctx.log(`downloading ${name} from Maven Central (first run only)`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await run(
    'mvn',
    [
      '-B',
      '-q',
      '-f',
      pomFile,
      'dependency:unpack',
      // Read by the pom's plugin configuration: the plugin has no command-line switch for its markers folder,
      // which would otherwise land in target/ next to the pom, inside the repository.
      `-Dunpack.dir=${app}`,
      `-Dunpack.markers=${path.join(outDir, 'markers')}`,
    ],
    { timeoutMs: 1_800_000 },
  );
  writeFileSync(marker, new Date().toISOString());
  return app;
}
