import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, kitConfigSchema, parseConfig } from '../src/index.js';

describe('parseConfig', () => {
  const schema = kitConfigSchema.extend({ PORT: z.coerce.number().int().min(1).max(65535) });

  it('lists every bad variable by name in one error', () => {
    let caught: unknown;
    try {
      parseConfig(schema, { JWT_SECRET: 'short', PORT: 'abc', LOG_LEVEL: 'loud' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const names = (caught as ConfigError).issues.map((i) => i.split(':')[0]);
    expect(names.sort()).toEqual(['JWT_SECRET', 'LOG_LEVEL', 'PORT']);
  });

  it('says when a required variable is not set', () => {
    expect(() => parseConfig(schema, { PORT: '3000' })).toThrow(/JWT_SECRET: .*\(not set\)/);
  });

  it('returns a frozen, typed object with defaults applied', () => {
    const config = parseConfig(schema, { JWT_SECRET: 'x'.repeat(32), PORT: '3001' });
    expect(config.PORT).toBe(3001);
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.LOG_PRETTY).toBe(false);
    expect(Object.isFrozen(config)).toBe(true);
  });
});
