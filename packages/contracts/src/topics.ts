// Topics and their types, from the generated code: the only place a topic name is spelt out is its schema.
import type { AvroRecordSchema } from './avro-schema.js';
import { schemas, topics } from './generated/schemas.js';
import type { EventMap } from './generated/types.js';

export { topics };

/** An event topic, `<domain>.<event>.v<N>`. */
export type Topic = (typeof topics)[number];

/** The event (decoded Avro record) a topic carries. */
export type EventOf<T extends Topic> = EventMap[T];

const known: ReadonlySet<string> = new Set(topics);

/** Narrows a string (a Kafka record's topic, say) to a Topic. */
export function isTopic(value: string): value is Topic {
  return known.has(value);
}

/** The schema this build was generated from, as written in schema-contracts/<topic>.avsc. */
export function schemaOf(topic: Topic): AvroRecordSchema {
  const schema = schemas[topic];
  // Reachable only from untyped callers: a typed Topic always has a schema.
  if (!schema) throw new Error(`unknown topic ${String(topic)}`);
  return schema;
}
