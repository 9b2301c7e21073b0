// Encoding and decoding events in the registry's wire format (magic byte 0, 4-byte schema id, Avro body),
// over @kafkajs/confluent-schema-registry against the stack's Apicurio (Confluent-compatible API).
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { schemaText, subjectOf } from './contract-files.js';
import { type EventOf, schemaOf, type Topic } from './topics.js';

export type Registry = SchemaRegistry;

/** A topic's subject is missing from the registry, or does not hold the schema this build carries. */
export class ContractNotRegisteredError extends Error {
  override name = 'ContractNotRegisteredError';
}

/** A registry client; `url` is the Confluent-compatible base, e.g. SCHEMA_REGISTRY_URL. */
export function createRegistry(url: string): Registry {
  return new SchemaRegistry({ host: url.replace(/\/+$/, '') });
}

// Per client, so two registries (tests, a migration) never share ids. A failed lookup is not cached.
interface ClientCache {
  ids: Map<Topic, Promise<number>>;
  /** Resolvers from a writer schema id to this build's schema of a topic, by `<topic>@<id>`. */
  resolvers: Map<string, avro.Resolver>;
}
const caches = new WeakMap<Registry, ClientCache>();

function cacheOf(registry: Registry): ClientCache {
  let cache = caches.get(registry);
  if (!cache) {
    cache = { ids: new Map(), resolvers: new Map() };
    caches.set(registry, cache);
  }
  return cache;
}

/**
 * The registry id of the schema this build was generated from, looked up once per client and topic.
 * Not "the latest version": a producer writes with the schema its code was built for, so the id names the
 * exact writer schema and readers resolve from it. After `contracts:register` the two are the same.
 */
export function schemaIdOf(registry: Registry, topic: Topic): Promise<number> {
  const { ids } = cacheOf(registry);
  let id = ids.get(topic);
  if (!id) {
    id = lookUpSchemaId(registry, topic);
    ids.set(topic, id);
    id.catch(() => ids.delete(topic));
  }
  return id;
}

async function lookUpSchemaId(registry: Registry, topic: Topic): Promise<number> {
  const subject = subjectOf(topic);
  try {
    return await registry.getRegistryIdBySchema(subject, {
      type: SchemaType.AVRO,
      schema: schemaText(schemaOf(topic)),
    });
  } catch (lookupError) {
    // The client drops the HTTP status of this call; the latest version tells the two 404s apart.
    let latest: number;
    try {
      latest = await registry.getLatestSchemaId(subject);
    } catch (err) {
      if ((err as { status?: number }).status === 404)
        throw new ContractNotRegisteredError(
          `subject ${subject} is not registered in the schema registry: run \`pnpm contracts:register\``,
          { cause: err },
        );
      throw err;
    }
    throw new ContractNotRegisteredError(
      `the schema of ${topic} in this build is not registered under ${subject} (its latest is schema id ${latest}): ` +
        `register it (\`pnpm contracts:register\`) before deploying code that writes it`,
      { cause: lookupError },
    );
  }
}

/** Encodes an event of `topic` in the wire format, ready for the outbox's payload column. */
export async function encodeEvent<T extends Topic>(
  registry: Registry,
  topic: T,
  event: EventOf<T>,
): Promise<Buffer> {
  const id = await schemaIdOf(registry, topic);
  try {
    return await registry.encode(id, event);
  } catch (err) {
    const paths = (err as { paths?: string[][] }).paths;
    const where = paths?.length ? `: invalid at ${paths.map((p) => p.join('.') || '(root)').join(', ')}` : '';
    throw new Error(`event does not match the schema of ${topic}${where}`, { cause: err });
  }
}

// Reader types are built once per topic, resolvers once per writer id (ClientCache), not per message.
const readerTypes = new Map<Topic, avro.Type>();

/**
 * Decodes a wire-format message. With `topic`, the record is read through this build's schema of the topic
 * (Avro schema resolution): fields added later are dropped, defaults fill fields the writer did not have,
 * enum symbols this build does not know become the enum's default — so the value matches EventOf<T>.
 * Without it, the value is whatever the writer's schema says.
 */
export async function decodeEvent(registry: Registry, buffer: Buffer): Promise<unknown>;
export async function decodeEvent<T extends Topic>(
  registry: Registry,
  buffer: Buffer,
  topic: T,
): Promise<EventOf<T>>;
export async function decodeEvent(registry: Registry, buffer: Buffer, topic?: Topic): Promise<unknown> {
  if (!topic) return registry.decode(buffer);
  if (buffer.length < 5 || buffer[0] !== 0) throw new Error('not a schema registry wire-format message');
  const id = buffer.readInt32BE(1);
  const writer = (await registry.getSchema(id)) as unknown as avro.Type;
  let reader = readerTypes.get(topic);
  if (!reader) {
    reader = avro.Type.forSchema(schemaOf(topic) as avro.Schema);
    readerTypes.set(topic, reader);
  }
  const { resolvers } = cacheOf(registry);
  const key = `${topic}@${id}`;
  let resolver = resolvers.get(key);
  if (!resolver) {
    try {
      resolver = reader.createResolver(writer);
    } catch (err) {
      throw new Error(`schema id ${id} cannot be read as ${topic}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    resolvers.set(key, resolver);
  }
  return reader.fromBuffer(buffer.subarray(5), resolver);
}
