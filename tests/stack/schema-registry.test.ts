// The schema registry as the services use it: @kafkajs/confluent-schema-registry against Apicurio's
// Confluent-compatible API. Upstream never tested that client against Apicurio, so everything the contracts
// package relies on is covered here, including a rejected incompatible change.
import { randomUUID } from 'node:crypto';
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStackEnv } from '../../scripts/stack/env.js';

const env = loadStackEnv();
const baseUrl = `http://${env.STACK_HOST}:${env.SCHEMA_REGISTRY_PORT}/apis/ccompat/v7`;
const registry = new SchemaRegistry({ host: baseUrl });
const subject = `stack-test.${randomUUID().slice(0, 8)}.v1-value`;
const opts = { subject, compatibility: COMPATIBILITY.BACKWARD_TRANSITIVE };

const avro = (fields: object[]) => ({
  type: SchemaType.AVRO as const,
  schema: JSON.stringify({ type: 'record', name: 'StackProbe', namespace: 'lab.stack', fields }),
});
const eventId = { name: 'event_id', type: 'string' };
const region = { name: 'region', type: 'string' };

async function api(method: string, path: string): Promise<Response> {
  return fetch(`${baseUrl}${path}`, { method, signal: AbortSignal.timeout(10_000) });
}

afterAll(async () => {
  // Confluent semantics: a soft delete first, then the permanent one.
  await api('DELETE', `/subjects/${subject}`);
  await api('DELETE', `/subjects/${subject}?permanent=true`);
});

describe('schema registry (Confluent-compatible API)', () => {
  let firstId = 0;

  it('answers the global compatibility the stack bootstrap set', async () => {
    const res = await api('GET', '/config');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ compatibilityLevel: 'BACKWARD_TRANSITIVE' });
  });

  it('registers an Avro schema and serves it by id', async () => {
    ({ id: firstId } = await registry.register(avro([eventId]), opts));
    expect(firstId).toBeGreaterThan(0);
    const fresh = new SchemaRegistry({ host: baseUrl }); // no cache: a real GET /schemas/ids/{id}
    const schema = (await fresh.getSchema(firstId)) as { name?: string };
    expect(schema.name).toBe('lab.stack.StackProbe');
    expect(await fresh.getLatestSchemaId(subject)).toBe(firstId);
  });

  it('round-trips a payload in the wire format', async () => {
    const payload = { event_id: randomUUID() };
    const encoded = await registry.encode(firstId, payload);
    expect(encoded[0]).toBe(0); // magic byte
    expect(encoded.readInt32BE(1)).toBe(firstId);
    const fresh = new SchemaRegistry({ host: baseUrl });
    expect(await fresh.decode(encoded)).toEqual(payload);
  });

  it('accepts a compatible change (a new field with a default)', async () => {
    const { id } = await registry.register(avro([eventId, { ...region, default: 'eu-west' }]), opts);
    expect(id).not.toBe(firstId);
    const fresh = new SchemaRegistry({ host: baseUrl });
    // Data written with the first version reads with the latest one, the default filling the gap.
    const old = await registry.encode(firstId, { event_id: 'e-1' });
    const latest = await fresh.getSchema(id);
    expect(await fresh.decode(old, { [SchemaType.AVRO]: { readerSchema: latest } })).toEqual({
      event_id: 'e-1',
      region: 'eu-west',
    });
  });

  it('rejects a new field without a default', async () => {
    await expect(registry.register(avro([eventId, { name: 'sku', type: 'string' }]), opts)).rejects.toThrow(
      /incompatible/i,
    );
  });

  it('rejects a change compatible with the latest version only (transitive check)', async () => {
    // Dropping the default still reads the second version's data, but no longer the first version's.
    await expect(registry.register(avro([eventId, region]), opts)).rejects.toThrow(/incompatible/i);
  });

  it('keeps the subject at BACKWARD_TRANSITIVE', async () => {
    const res = await api('GET', `/config/${subject}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ compatibilityLevel: 'BACKWARD_TRANSITIVE' });
  });
});
