// Encodes events in the registry's wire format for the outbox's payload column. The schemas are the files in
// schema-contracts/ (the source of truth); each topic's schema id is looked up, or registered when the
// subject does not hold it yet, once per process. To be replaced by @shop/contracts' encodeEvent once that
// package is published in the workspace.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { DomainError } from '@shop/common';

export const inventoryTopics = [
  'inventory.reserved.v1',
  'inventory.committed.v1',
  'inventory.released.v1',
  'inventory.expired.v1',
  'inventory.stock.adjusted.v1',
  'inventory.global.update.v1',
] as const;
export type InventoryTopic = (typeof inventoryTopics)[number];

// src/events and dist/events both sit four levels below the repository root.
const contractsDir = new URL('../../../../schema-contracts/', import.meta.url);

export interface EventEncoder {
  encode(topic: InventoryTopic, event: Record<string, unknown>): Promise<Buffer>;
  registry: SchemaRegistry;
}

export function createEventEncoder(registryUrl: string): EventEncoder {
  const registry = new SchemaRegistry({ host: registryUrl.replace(/\/+$/, '') });
  const ids = new Map<InventoryTopic, Promise<number>>();

  async function lookUp(topic: InventoryTopic): Promise<number> {
    const schema = {
      type: SchemaType.AVRO as const,
      schema: JSON.stringify(
        JSON.parse(readFileSync(fileURLToPath(new URL(`${topic}.avsc`, contractsDir)), 'utf8')),
      ),
    };
    const subject = `${topic}-value`;
    try {
      return await registry.getRegistryIdBySchema(subject, schema);
    } catch {
      // Registering an identical schema again returns its id; an incompatible one is refused by the registry.
      return (await registry.register(schema, { subject })).id;
    }
  }

  return {
    registry,
    async encode(topic, event) {
      let id = ids.get(topic);
      if (!id) {
        id = lookUp(topic);
        ids.set(topic, id);
        id.catch(() => ids.delete(topic)); // a failed lookup is retried by the next event
      }
      let schemaId: number;
      try {
        schemaId = await id;
      } catch (err) {
        throw new DomainError('DEPENDENCY_UNAVAILABLE', 'the schema registry is not answering; retry', {
          cause: String(err),
        });
      }
      return registry.encode(schemaId, event);
    },
  };
}
