// Cassandra as the inventory service uses it: plain writes, lightweight transactions for reservations and
// TTL'd rows that vanish by themselves. Needs `pnpm stack up cassandra`.
import cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackEnv } from '../../scripts/stack/env.js';

const env = loadStackEnv();
const table = `inventory.stack_test_${Date.now()}`;

describe('cassandra', () => {
  let client: cassandra.Client;

  beforeAll(async () => {
    client = new cassandra.Client({
      contactPoints: [`${env.STACK_HOST}:${env.CASSANDRA_PORT}`],
      localDataCenter: 'datacenter1',
    });
    await client.connect();
    await client.execute(`CREATE TABLE IF NOT EXISTS ${table} (sku text PRIMARY KEY, qty int, holder text)`);
  });

  afterAll(async () => {
    await client?.execute(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await client?.shutdown();
  });

  it('answers with a 5.0 release version', async () => {
    const rs = await client.execute('SELECT release_version FROM system.local');
    expect(rs.first().get('release_version')).toMatch(/^5\.0\./);
  });

  it('has the inventory keyspace with one replica', async () => {
    const rs = await client.execute(
      'SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?',
      ['inventory'],
      { prepare: true },
    );
    expect(rs.first().get('replication')).toMatchObject({ replication_factor: '1' });
  });

  it('reads back what it wrote', async () => {
    await client.execute(`INSERT INTO ${table} (sku, qty) VALUES (?, ?)`, ['sku-round-trip', 7], {
      prepare: true,
    });
    const rs = await client.execute(`SELECT qty FROM ${table} WHERE sku = ?`, ['sku-round-trip'], {
      prepare: true,
    });
    expect(rs.first().get('qty')).toBe(7);
  });

  it('applies INSERT IF NOT EXISTS once and refuses the second', async () => {
    const insert = `INSERT INTO ${table} (sku, qty, holder) VALUES (?, ?, ?) IF NOT EXISTS`;
    const first = await client.execute(insert, ['sku-lwt', 1, 'first'], { prepare: true });
    expect(first.wasApplied()).toBe(true);
    const second = await client.execute(insert, ['sku-lwt', 2, 'second'], { prepare: true });
    expect(second.wasApplied()).toBe(false);
    // A refused LWT answers with the row that won.
    expect(second.first().get('holder')).toBe('first');
  });

  it('forgets a row written USING TTL 2 after about 3 seconds', async () => {
    await client.execute(`INSERT INTO ${table} (sku, qty) VALUES (?, ?) USING TTL 2`, ['sku-ttl', 1], {
      prepare: true,
    });
    const select = `SELECT sku FROM ${table} WHERE sku = ?`;
    expect((await client.execute(select, ['sku-ttl'], { prepare: true })).rowLength).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect((await client.execute(select, ['sku-ttl'], { prepare: true })).rowLength).toBe(0);
  });
});
