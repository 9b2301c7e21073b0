import { z } from 'zod';

/** Variables every service reads through the kit. A service extends this with its own. */
export const kitConfigSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: z
    .enum(['0', '1'])
    .default('0')
    .transform((v) => v === '1'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters'),
  JWT_ISSUER: z.string().min(1).default('ecommerce-lab'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  HOST: z.string().min(1).default('127.0.0.1'),
});

export type KitConfig = z.infer<typeof kitConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment once against a zod schema. Every bad variable is reported by name in one
 * error, so a misconfigured deployment is fixed in one round. The result is frozen.
 */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): Readonly<z.infer<S>> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.join('.') || '(root)';
        const value = issue.path.length === 1 ? env[String(issue.path[0])] : undefined;
        return `${name}: ${issue.message}${value === undefined ? ' (not set)' : ''}`;
      }),
    );
  }
  return Object.freeze(result.data);
}

/** Like parseConfig, but prints the problems and exits: for a process entry point. */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): Readonly<z.infer<S>> {
  try {
    return parseConfig(schema, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
