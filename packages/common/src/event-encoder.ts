import {
  ContractNotRegisteredError,
  createRegistry,
  type EventOf,
  encodeEvent,
  type Topic,
} from '@shop/contracts';
import { DomainError, isUnavailable } from './errors.js';

/** Turns an event record into outbox payload bytes: Avro in the registry's wire format. */
export type EventEncoder = <T extends Topic>(topic: T, event: EventOf<T>) => Promise<Buffer>;

/**
 * Encodes events against the schema registry at `registryUrl`. The client connects lazily and caches schema
 * ids, so building an app needs no registry; the first write does. A registry that is unreachable or does
 * not hold the contract yet refuses the write with DEPENDENCY_UNAVAILABLE (503, retry later), so the state
 * change rolls back with it: a change is never committed without its event.
 */
export function createEventEncoder(registryUrl: string): EventEncoder {
  const registry = createRegistry(registryUrl);
  return async (topic, event) => {
    try {
      return await encodeEvent(registry, topic, event);
    } catch (err) {
      if (
        err instanceof ContractNotRegisteredError ||
        isUnavailable(err) ||
        isUnavailable((err as Error).cause)
      ) {
        throw new DomainError('DEPENDENCY_UNAVAILABLE', `the schema registry cannot encode ${topic}`, {
          dependency: 'schema-registry',
        });
      }
      throw err;
    }
  };
}
