// Avro → TypeScript for the contracts. The types describe what avsc hands over with its default options —
// the ones the registry client uses: logical types are their underlying type (timestamp-millis is a number
// of milliseconds, uuid a string), a long is a number (avsc refuses one beyond 2^53), a union of null and T
// is `T | null`. Small on purpose: it supports what schema-contracts/README.md allows and fails on the rest.
import type { AvroComplexType, AvroRecordSchema, AvroType } from '../src/avro-schema.js';
import type { ContractFile } from '../src/contract-files.js';

const header = (what: string) =>
  [
    `// Generated from schema-contracts/*.avsc by packages/contracts/scripts/generate.ts: ${what}.`,
    '// Do not edit: change the schema and run `pnpm --filter @shop/contracts generate`.',
    '',
  ].join('\n');

const primitives: Record<string, string> = {
  null: 'null',
  boolean: 'boolean',
  int: 'number',
  long: 'number',
  float: 'number',
  double: 'number',
  bytes: 'Buffer',
  string: 'string',
};

/** Which branches avsc can tell apart in an unwrapped union (its `wrapUnions: 'auto'` rule). */
const unionBucket: Record<string, string> = {
  null: 'null',
  boolean: 'boolean',
  int: 'number',
  long: 'number',
  float: 'number',
  double: 'number',
  bytes: 'buffer',
  fixed: 'buffer',
  string: 'string',
  enum: 'string',
  array: 'array',
  map: 'object',
  record: 'object',
};

interface Declared {
  fullName: string;
  topic: string;
  code: string;
}

export interface Generated {
  /** `src/generated/types.ts`: one interface per record, one union type per enum, and `EventMap`. */
  types: string;
  /** `src/generated/schemas.ts`: `topics` and the schema of each, embedded so `dist` needs no files. */
  schemas: string;
}

export function generate(contracts: readonly Pick<ContractFile, 'topic' | 'schema'>[]): Generated {
  const declared = new Map<string, Declared>();
  const eventMap: string[] = [];
  for (const { topic, schema } of contracts) {
    const gen = new SchemaGenerator(topic, declared);
    eventMap.push(`  '${topic}': ${gen.typeOf(schema, schema.namespace ?? '')};`);
  }
  const types = [
    header('the event types'),
    ...[...declared.values()].map((d) => d.code),
    '/** The event type of each topic. */',
    'export interface EventMap {',
    ...eventMap,
    '}',
    '',
  ].join('\n');
  const schemas = [
    header('the schema of every topic'),
    "import type { AvroRecordSchema } from '../avro-schema.js';",
    '',
    '/** Every event topic, one per schema in schema-contracts/. */',
    'export const topics = [',
    ...contracts.map((c) => `  '${c.topic}',`),
    '] as const;',
    '',
    '/** The schema of each topic, exactly as in its .avsc file. */',
    'export const schemas: { readonly [T in (typeof topics)[number]]: AvroRecordSchema } = {',
    ...contracts.map((c) => `  '${c.topic}': ${JSON.stringify(c.schema)},`),
    '};',
    '',
  ].join('\n');
  return { types, schemas };
}

class SchemaGenerator {
  /** Named types of this schema, by full name: Avro resolves references within one schema. */
  private readonly names = new Map<string, string>();

  constructor(
    private readonly topic: string,
    private readonly declared: Map<string, Declared>,
  ) {}

  typeOf(type: AvroType, namespace: string): string {
    if (typeof type === 'string') return primitives[type] ?? this.reference(type, namespace);
    if (Array.isArray(type)) return this.union(type, namespace);
    switch (type.type) {
      case 'record':
        return this.record(type, namespace);
      case 'enum':
        return this.enum(type, namespace);
      case 'array':
        return `Array<${this.typeOf(required(type.items, 'array items'), namespace)}>`;
      case 'map':
        return `Record<string, ${this.typeOf(required(type.values, 'map values'), namespace)}>`;
      case 'fixed':
        return this.declare(type, namespace, (name) => `export type ${name} = Buffer;\n`);
      default: {
        // A primitive written as an object, possibly with a logical type avsc leaves as its underlying type.
        const primitive = primitives[type.type];
        if (!primitive) throw this.error(`unsupported type ${JSON.stringify(type.type)}`);
        return primitive;
      }
    }
  }

  private union(branches: AvroType[], namespace: string): string {
    const seen = new Map<string, AvroType>();
    for (const branch of branches) {
      const kind = typeof branch === 'string' ? branch : Array.isArray(branch) ? 'union' : branch.type;
      const bucket = unionBucket[kind] ?? (typeof branch === 'string' ? 'object' : undefined);
      if (!bucket) throw this.error(`unsupported union branch ${JSON.stringify(branch)}`);
      // avsc wraps ambiguous unions as `{ Type: value }`; our types would lie, so the contracts avoid them.
      if (seen.has(bucket))
        throw this.error(`ambiguous union ${JSON.stringify(branches)}: two ${bucket} branches`);
      seen.set(bucket, branch);
    }
    // `T | null` reads better than `null | T`; the order of a TypeScript union means nothing.
    const rendered = branches.map((b) => this.typeOf(b, namespace));
    return [...rendered.filter((t) => t !== 'null'), ...rendered.filter((t) => t === 'null')].join(' | ');
  }

  private record(type: AvroComplexType, namespace: string): string {
    return this.declare(type, namespace, (name, ns) => {
      const fields = required(type.fields, 'record fields').map(
        (f) => `${doc(f.doc, '  ')}  ${f.name}: ${this.typeOf(f.type, ns)};\n`,
      );
      return `${doc(type.doc)}export interface ${name} {\n${fields.join('')}}\n`;
    });
  }

  private enum(type: AvroComplexType, namespace: string): string {
    return this.declare(type, namespace, (name) => {
      const symbols = required(type.symbols, 'enum symbols').map((s) => `'${s}'`);
      // A value and a type of one name: services validate with the list and type with the union.
      return [
        `${doc(type.doc)}export const ${name} = [${symbols.join(', ')}] as const;`,
        `export type ${name} = (typeof ${name})[number];`,
        '',
      ].join('\n');
    });
  }

  private declare(
    type: AvroComplexType,
    namespace: string,
    render: (name: string, ns: string) => string,
  ): string {
    const name = required(type.name, `name of a ${type.type}`);
    const ns = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : (type.namespace ?? namespace);
    const short = name.slice(name.lastIndexOf('.') + 1);
    const fullName = ns ? `${ns}.${short}` : short;
    this.names.set(fullName, short);
    const code = render(short, ns);
    // One barrel exports every type under its short name: two different types may not share one.
    const earlier = this.declared.get(short);
    if (earlier && (earlier.fullName !== fullName || earlier.code !== code))
      throw this.error(
        `type name ${short} (${fullName}) is already used by ${earlier.fullName} in ${earlier.topic}`,
      );
    if (!earlier) this.declared.set(short, { fullName, topic: this.topic, code });
    return short;
  }

  private reference(name: string, namespace: string): string {
    const fullName = name.includes('.') ? name : namespace ? `${namespace}.${name}` : name;
    const short = this.names.get(fullName);
    if (!short) throw this.error(`unknown type ${name}`);
    return short;
  }

  private error(message: string): Error {
    return new Error(`${this.topic}: ${message}`);
  }
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`schema has no ${what}`);
  return value;
}

function doc(text: string | undefined, indent = ''): string {
  if (!text) return '';
  return `${indent}/** ${text.replaceAll('*/', '*\\/')} */\n`;
}

export type { AvroRecordSchema };
