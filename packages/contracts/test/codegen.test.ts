import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generate } from '../scripts/codegen.js';
import type { AvroRecordSchema } from '../src/avro-schema.js';
import { loadContracts } from '../src/contract-files.js';

const here = path.dirname(fileURLToPath(import.meta.url));

const record = (fields: AvroRecordSchema['fields'], name = 'ThingHappened'): AvroRecordSchema => ({
  type: 'record',
  name,
  namespace: 'shop.thing',
  fields,
});

const typesOf = (schema: AvroRecordSchema, topic = 'thing.happened.v1') =>
  generate([{ topic, schema }]).types;

describe('generate', () => {
  it('maps primitives and logical types to what avsc hands over', () => {
    const types = typesOf(
      record([
        { name: 'id', type: { type: 'string', logicalType: 'uuid' } },
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'amount_minor', type: 'long' },
        { name: 'count', type: 'int' },
        { name: 'score', type: 'double' },
        { name: 'ok', type: 'boolean' },
        { name: 'blob', type: 'bytes' },
      ]),
    );
    expect(types).toContain(
      'export interface ThingHappened {\n  id: string;\n  at: number;\n  amount_minor: number;\n  count: number;\n' +
        '  score: number;\n  ok: boolean;\n  blob: Buffer;\n}',
    );
  });

  it('writes a union with null as `T | null`, arrays, maps and docs', () => {
    const types = typesOf(
      record([
        { name: 'note', type: ['null', 'string'], default: null, doc: 'Why */ it matters.' },
        { name: 'tags', type: { type: 'array', items: 'string' } },
        { name: 'attributes', type: { type: 'map', values: ['string', 'double', 'boolean'] } },
      ]),
    );
    expect(types).toContain('  /** Why *\\/ it matters. */\n  note: string | null;');
    expect(types).toContain('  tags: Array<string>;');
    expect(types).toContain('  attributes: Record<string, string | number | boolean>;');
  });

  it('declares nested records and enums once and resolves references by name', () => {
    const types = typesOf(
      record([
        {
          name: 'from',
          type: { type: 'enum', name: 'State', symbols: ['unknown', 'open'], default: 'unknown' },
        },
        { name: 'to', type: 'State' },
        { name: 'also', type: 'shop.thing.State' },
        {
          name: 'lines',
          type: {
            type: 'array',
            items: { type: 'record', name: 'Line', fields: [{ name: 'sku', type: 'string' }] },
          },
        },
      ]),
    );
    expect(types).toContain("export const State = ['unknown', 'open'] as const;");
    expect(types).toContain('export type State = (typeof State)[number];');
    expect(types).toMatch(/from: State;\n {2}to: State;\n {2}also: State;\n {2}lines: Array<Line>;/);
    expect(types.match(/export interface Line /g)).toHaveLength(1);
  });

  it('maps each topic to its record in EventMap', () => {
    const { types, schemas } = generate([
      { topic: 'thing.happened.v1', schema: record([{ name: 'a', type: 'string' }]) },
    ]);
    expect(types).toContain("export interface EventMap {\n  'thing.happened.v1': ThingHappened;\n}");
    expect(schemas).toContain("export const topics = [\n  'thing.happened.v1',\n] as const;");
  });

  it('refuses a union avsc would wrap (two branches of one kind)', () => {
    expect(() => typesOf(record([{ name: 'x', type: ['int', 'long'] }]))).toThrow(
      /thing.happened.v1: ambiguous union/,
    );
  });

  it('refuses two different types under one name across topics', () => {
    const a = record(
      [{ name: 'l', type: { type: 'record', name: 'Line', fields: [{ name: 'sku', type: 'string' }] } }],
      'A',
    );
    const b = record(
      [{ name: 'l', type: { type: 'record', name: 'Line', fields: [{ name: 'qty', type: 'int' }] } }],
      'B',
    );
    expect(() =>
      generate([
        { topic: 'thing.a.v1', schema: a },
        { topic: 'thing.b.v1', schema: b },
      ]),
    ).toThrow(/thing.b.v1: type name Line .* already used .* in thing.a.v1/);
  });

  it('refuses a reference to a type the schema does not define', () => {
    expect(() => typesOf(record([{ name: 'x', type: 'Missing' }]))).toThrow(/unknown type Missing/);
  });

  it('is what src/generated holds (run `pnpm --filter @shop/contracts generate` after changing a schema)', () => {
    const { types, schemas } = generate(loadContracts(path.join(here, '../../../schema-contracts')));
    expect(readFileSync(path.join(here, '../src/generated/types.ts'), 'utf8')).toBe(types);
    expect(readFileSync(path.join(here, '../src/generated/schemas.ts'), 'utf8')).toBe(schemas);
  });
});
