import { randomUUID } from 'node:crypto';
import { createCouch, createKafka, headersToRecord } from '@shop/common';
import { type CatalogProductUpserted, createRegistry, decodeEvent } from '@shop/contracts';
import { stackEnv, waitFor } from '@shop/testing';
import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productUpsertedDlq, productUpsertedTopic } from '../../src/events/product-events.js';
import { type App, bearer, buildTestApp, productBody, scratchDatabase, uniqueSku } from '../helper.js';

const env = stackEnv();
const registry = createRegistry(env.CATALOG_SCHEMA_REGISTRY_URL!);
const kafka = createKafka({
  brokers: env.CATALOG_KAFKA_BROKERS!.split(','),
  clientId: 'catalog-events-test',
});
let db: Awaited<ReturnType<typeof scratchDatabase>>;
let consumer: Consumer;
const events: CatalogProductUpserted[] = [];
const parked: Array<{ key: string; headers: Record<string, string>; doc: Record<string, unknown> }> = [];

function publisher() {
  return buildTestApp({ CATALOG_COUCHDB_DATABASE: db.name, CATALOG_PRODUCT_EVENTS: '1' });
}

async function ready(app: App) {
  await waitFor(async () => {
    const res = await app.inject({ method: 'GET', url: '/ready' });
    return res.json().checks.find((c: { name: string }) => c.name === 'product-events')?.ok;
  }, 30_000);
}

beforeAll(async () => {
  db = await scratchDatabase();
  consumer = kafka.consumer({ groupId: `catalog-events-test-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [productUpsertedTopic, productUpsertedDlq], fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      if (topic === productUpsertedTopic) {
        events.push(
          (await decodeEvent(registry, message.value!, productUpsertedTopic)) as CatalogProductUpserted,
        );
      } else {
        parked.push({
          key: String(message.key),
          headers: headersToRecord(message.headers),
          doc: JSON.parse(String(message.value)),
        });
      }
    },
  });
  // Assigned partitions before anything is published, so `fromBeginning: false` misses nothing of ours.
  await new Promise((r) => setTimeout(r, 3000));
}, 60_000);

afterAll(async () => {
  await consumer.disconnect();
  await db.drop();
});

const of = (sku: string) => events.filter((e) => e.sku === sku);

describe('catalog.product.upserted.v1', () => {
  it('publishes every revision written through the API and directly in the database, in order', async () => {
    const app = await publisher();
    try {
      await ready(app);
      const admin = { authorization: bearer(app, 'ops', ['admin']) };
      const created = (
        await app.inject({
          method: 'POST',
          url: '/products',
          headers: admin,
          payload: productBody({ region: 'ap-south' }),
        })
      ).json();
      const changed = (
        await app.inject({
          method: 'PATCH',
          url: `/products/${created.sku}`,
          headers: { ...admin, 'if-match': created.revision },
          payload: { status: 'archived' },
        })
      ).json();
      // A write around the service, as a migration or the schema-drift scenario makes it.
      const direct = uniqueSku('direct');
      const couch = createCouch(env.CATALOG_COUCHDB_URL!).use(db.name);
      const now = new Date().toISOString();
      await couch.insert({
        _id: `product:${direct}`,
        type: 'product',
        sku: direct,
        title: 'Written directly',
        category: 'imports',
        region: 'us-east',
        availableRegions: ['us-east'],
        status: 'active',
        attributes: { weight_kg: 1.5 },
        createdAt: now,
        updatedAt: now,
      } as never);

      await waitFor(() => of(created.sku).length >= 2 && of(direct).length >= 1, 20_000);
      const [first, second] = of(created.sku);
      expect(first).toMatchObject({
        status: 'active',
        region: 'ap-south',
        revision: created.revision,
        aggregate_id: created.sku,
      });
      expect(second).toMatchObject({ status: 'archived', revision: changed.revision });
      expect(of(direct)[0]).toMatchObject({ title: 'Written directly', attributes: { weight_kg: 1.5 } });
    } finally {
      await app.close();
    }
  });

  it('parks a product document that does not read as a product on the DLQ, and goes on', async () => {
    const app = await publisher();
    try {
      await ready(app);
      const couch = createCouch(env.CATALOG_COUCHDB_URL!).use(db.name);
      const drifted = uniqueSku('drift');
      const after = uniqueSku('after');
      const now = new Date().toISOString();
      const base = {
        type: 'product',
        title: 'x',
        category: 'c',
        availableRegions: [],
        createdAt: now,
        updatedAt: now,
      };
      await couch.insert({
        _id: `product:${drifted}`,
        ...base,
        sku: drifted,
        region: 'eu-west',
        status: 'published',
      } as never);
      await couch.insert({
        _id: `product:${after}`,
        ...base,
        sku: after,
        region: 'eu-west',
        status: 'draft',
      } as never);
      await waitFor(() => of(after).length >= 1 && parked.some((p) => p.key === drifted), 20_000);
      const park = parked.find((p) => p.key === drifted)!;
      expect(park.headers).toMatchObject({
        dlq_reason: 'rejected',
        dlq_original_topic: productUpsertedTopic,
      });
      expect(park.headers.dlq_error).toMatch(/status "published"/);
      expect(park.doc.status).toBe('published');
      expect(of(drifted)).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('publishes what was written while no publisher ran, once it starts again', async () => {
    const couch = createCouch(env.CATALOG_COUCHDB_URL!).use(db.name);
    const sku = uniqueSku('offline');
    const now = new Date().toISOString();
    await couch.insert({
      _id: `product:${sku}`,
      type: 'product',
      sku,
      title: 'Written while the publisher was down',
      category: 'c',
      region: 'eu-west',
      availableRegions: ['eu-west'],
      status: 'active',
      createdAt: now,
      updatedAt: now,
    } as never);
    await new Promise((r) => setTimeout(r, 500));
    expect(of(sku)).toEqual([]);
    const before = events.length;
    const app = await publisher();
    try {
      await waitFor(() => of(sku).length === 1, 30_000);
      // From the saved checkpoint: at most the last unsaved batch is repeated, and a repeat carries the id
      // its first publication had, so consumers drop it.
      await new Promise((r) => setTimeout(r, 1000));
      const seen = new Set(events.slice(0, before).map((e) => e.event_id));
      const repeats = events.slice(before).filter((e) => e.sku !== sku);
      expect(repeats.every((e) => seen.has(e.event_id))).toBe(true);
    } finally {
      await app.close();
    }
  });
});
