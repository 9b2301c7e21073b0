// The CouchDB API as the catalog service uses it, through `nano`: documents with revisions, Mango indexes
// and queries, and the _changes feed its worker publishes product events from. Natively this is
// pouchdb-server; under Compose, CouchDB itself.
import { randomUUID } from 'node:crypto';
import Nano from 'nano';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackEnv } from '../../scripts/stack/env.js';

const env = loadStackEnv();
const baseUrl = `http://${env.STACK_HOST}:${env.COUCHDB_PORT}`;
const credentials = `${encodeURIComponent(env.COUCHDB_USER!)}:${encodeURIComponent(env.COUCHDB_PASSWORD!)}`;
// nano 11 takes credentials in the URL.
const nano = Nano(`http://${credentials}@${env.STACK_HOST}:${env.COUCHDB_PORT}`);
// A database of its own, so the test never touches what a service stored.
const dbName = `stack-test-${randomUUID().slice(0, 8)}`;
const db = nano.db.use<{ sku: string; title: string; region: string }>(dbName);

beforeAll(async () => {
  await nano.db.create(dbName);
});

afterAll(async () => {
  await nano.db.destroy(dbName);
});

describe('CouchDB API', () => {
  let rev = '';

  it('answers with a welcome document', async () => {
    const res = await fetch(`${baseUrl}/`);
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(200);
    // pouchdb-server names itself express-pouchdb; CouchDB says couchdb.
    expect('express-pouchdb' in body || 'couchdb' in body).toBe(true);
  });

  it('lists the database the stack bootstrap created', async () => {
    expect(await nano.db.list()).toEqual(expect.arrayContaining(['catalog', dbName]));
  });

  it('refuses anonymous access to a secured database and anonymous database creation', async () => {
    expect((await fetch(`${baseUrl}/catalog`)).status).toBe(401);
    expect((await fetch(`${baseUrl}/${dbName}-anonymous`, { method: 'PUT' })).status).toBe(401);
    // The server is still there (express-pouchdb alone would have crashed on the second call).
    expect((await fetch(`${baseUrl}/`)).status).toBe(200);
  });

  it('stores a document and reads it back', async () => {
    const res = await db.insert({ _id: 'sku-1', sku: 'SKU-1', title: 'Kettle', region: 'eu-west' });
    expect(res.ok).toBe(true);
    rev = res.rev;
    expect(await db.get('sku-1')).toMatchObject({ _rev: rev, title: 'Kettle', region: 'eu-west' });
  });

  it('answers 409 to a write from a stale revision', async () => {
    const next = await db.insert({
      _id: 'sku-1',
      _rev: rev,
      sku: 'SKU-1',
      title: 'Kettle 2',
      region: 'eu-west',
    });
    await expect(
      db.insert({ _id: 'sku-1', _rev: rev, sku: 'SKU-1', title: 'Kettle 3', region: 'eu-west' }),
    ).rejects.toMatchObject({ statusCode: 409 });
    expect((await db.get('sku-1'))._rev).toBe(next.rev);
  });

  it('finds documents through a Mango index', async () => {
    await db.bulk({
      docs: [
        { _id: 'sku-2', sku: 'SKU-2', title: 'Toaster', region: 'us-east' },
        { _id: 'sku-3', sku: 'SKU-3', title: 'Blender', region: 'eu-west' },
      ],
    });
    const index = await db.createIndex({ index: { fields: ['region'] }, name: 'by-region' });
    expect(['created', 'exists']).toContain(index.result);
    const found = await db.find({ selector: { region: 'eu-west' }, fields: ['_id'] });
    expect(found.docs.map((d) => d._id).sort()).toEqual(['sku-1', 'sku-3']);
  });

  it('shows every change with its document on the _changes feed', async () => {
    const changes = await db.changes({ include_docs: true, since: 0 });
    const ids = changes.results.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['sku-1', 'sku-2', 'sku-3']));
    // nano's types leave out `doc`, which include_docs adds to every result.
    const first = changes.results.find((c) => c.id === 'sku-1') as { doc?: unknown } | undefined;
    expect(first?.doc).toMatchObject({ title: 'Kettle 2' });
    expect(changes.last_seq).toBeDefined();
  });
});
