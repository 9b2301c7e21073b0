// Reads the contracts from a schema-contracts/ folder: the working tree is what `contracts:check` and
// `contracts:register` act on, and what the generator turns into types.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import type { AvroField, AvroRecordSchema, AvroType } from './avro-schema.js';

/** `<domain>.<event>.v<N>`, where the event part may itself have dots: `fulfillment.shipment.created.v1`. */
export const topicPattern = /^[a-z][a-z0-9-]*(?:\.[a-z][a-z0-9_]*)+\.v[1-9][0-9]*$/;

export interface ContractFile {
  topic: string;
  subject: string;
  /** Path relative to the folder it was read from. */
  file: string;
  schema: AvroRecordSchema;
  /**
   * The exact text registered and looked up. Apicurio compares schema text byte for byte (a re-indented
   * copy becomes a new version), so it is always the compact JSON of the parsed file, never the file.
   */
  text: string;
}

/** The registry subject of a topic's values (Confluent's TopicNameStrategy). */
export function subjectOf<T extends string>(topic: T): `${T}-value` {
  return `${topic}-value`;
}

/** The exact text to register for a schema (see ContractFile.text). */
export function schemaText(schema: AvroRecordSchema): string {
  return JSON.stringify(schema);
}

/** Every `<topic>.avsc` under `dir`, sorted by topic; throws naming the file that does not parse. */
export function loadContracts(dir: string): ContractFile[] {
  const found = new Map<string, ContractFile>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.avsc')) continue;
    const full = path.join(entry.parentPath, entry.name);
    const file = path.relative(dir, full);
    const topic = entry.name.slice(0, -'.avsc'.length);
    if (!topicPattern.test(topic)) throw new Error(`${file}: file name is not <domain>.<event>.v<N>.avsc`);
    const schema = parseSchema(readFileSync(full, 'utf8'), file);
    const twin = found.get(topic);
    if (twin) throw new Error(`${file}: topic ${topic} is also defined by ${twin.file}`);
    found.set(topic, { topic, subject: subjectOf(topic), file, schema, text: schemaText(schema) });
  }
  return [...found.values()].sort((a, b) => a.topic.localeCompare(b.topic));
}

/** Parses and validates one schema with avsc, the library that encodes and decodes it at run time. */
export function parseSchema(json: string, file = 'schema'): AvroRecordSchema {
  let schema: unknown;
  try {
    schema = JSON.parse(json);
  } catch (err) {
    throw new Error(`${file}: not JSON: ${(err as Error).message}`);
  }
  try {
    avro.Type.forSchema(schema as avro.Schema);
  } catch (err) {
    throw new Error(`${file}: not a valid Avro schema: ${(err as Error).message}`);
  }
  const record = schema as AvroRecordSchema;
  if (record.type !== 'record') throw new Error(`${file}: the top-level type must be a record`);
  return record;
}

/** The record name a topic's schema must have: `order.status.changed.v1` → `OrderStatusChanged`, v2 → `…V2`. */
export function recordNameOf(topic: string): string {
  const match = /^(.*)\.v([0-9]+)$/.exec(topic);
  if (!match) throw new Error(`not a topic: ${topic}`);
  const base = match[1]!
    .split(/[._-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
  return match[2] === '1' ? base : `${base}V${match[2]}`;
}

const envelope: Record<string, (type: AvroType) => boolean> = {
  event_id: (t) => baseOf(t) === 'string',
  occurred_at: (t) => baseOf(t) === 'long' && logicalOf(t) === 'timestamp-millis',
  aggregate_id: (t) => t === 'string',
  region: (t) => baseOf(t) === 'string' || (typeof t === 'object' && !Array.isArray(t) && t.type === 'enum'),
};

/** The conventions of schema-contracts/README.md that Avro itself does not enforce; empty when all hold. */
export function conventionProblems(contract: Pick<ContractFile, 'topic' | 'schema'>): string[] {
  const { topic, schema } = contract;
  const problems: string[] = [];
  const domain = topic.split('.')[0]!;
  if (schema.name !== recordNameOf(topic))
    problems.push(`record name is ${schema.name}, expected ${recordNameOf(topic)}`);
  if (schema.namespace !== `shop.${domain}`)
    problems.push(`namespace is ${schema.namespace ?? '(none)'}, expected shop.${domain}`);
  for (const [name, ok] of Object.entries(envelope)) {
    const field = schema.fields.find((f) => f.name === name);
    if (!field) problems.push(`missing envelope field ${name}`);
    else if (!ok(field.type)) problems.push(`envelope field ${name} has the wrong type`);
  }
  walkFields(schema, (field, where) => {
    // Money is an integer of minor units: a float cannot hold 0.10 exactly, and sums drift.
    const base = baseOf(nonNull(field.type));
    if (/(^|_)(minor|amount|price|total)(_|$)/.test(field.name) && base !== 'long')
      problems.push(`${where}${field.name}: money must be a long of minor units, not ${base}`);
  });
  const hasMinor = JSON.stringify(schema).includes('_minor"');
  if (hasMinor && !schema.fields.some((f) => f.name === 'currency' && f.type === 'string'))
    problems.push('amounts in minor units need a top-level currency string (ISO 4217)');
  return problems;
}

function walkFields(
  record: { fields?: AvroField[] },
  visit: (field: AvroField, where: string) => void,
  where = '',
) {
  for (const field of record.fields ?? []) {
    visit(field, where);
    for (const nested of nestedRecords(field.type)) walkFields(nested, visit, `${where}${field.name}.`);
  }
}

function nestedRecords(type: AvroType): { fields?: AvroField[] }[] {
  if (typeof type === 'string') return [];
  if (Array.isArray(type)) return type.flatMap(nestedRecords);
  if (type.type === 'record') return [type];
  if (type.type === 'array' && type.items) return nestedRecords(type.items);
  if (type.type === 'map' && type.values) return nestedRecords(type.values);
  return [];
}

function nonNull(type: AvroType): AvroType {
  if (!Array.isArray(type)) return type;
  const rest = type.filter((t) => t !== 'null');
  return rest.length === 1 ? rest[0]! : type;
}

function baseOf(type: AvroType): string {
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return 'union';
  return type.type;
}

function logicalOf(type: AvroType): string | undefined {
  return typeof type === 'object' && !Array.isArray(type) ? type.logicalType : undefined;
}
