// The MySQL-family pair as the services and Debezium see it: a ROW binlog on the primary, a replica that
// follows it, and the connector's grants. Needs `pnpm stack up mariadb-primary mariadb-replica`.
import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackEnv } from '../../scripts/stack/env.js';

const env = loadStackEnv();

function connect(port: string, user = 'root', password = env.MYSQL_ROOT_PASSWORD) {
  return mysql.createConnection({ host: env.STACK_HOST, port: Number(port), user, password });
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

describe('mariadb primary and replica', () => {
  let primary: mysql.Connection;
  let replica: mysql.Connection;
  const table = `stack_test_${Date.now()}`;

  beforeAll(async () => {
    primary = await connect(env.MYSQL_PORT!, 'cart', 'cart-dev');
    replica = await connect(env.MYSQL_REPLICA_PORT!, 'cart', 'cart-dev');
  });

  afterAll(async () => {
    await primary?.query(`DROP TABLE IF EXISTS cart.${table}`);
    await primary?.end();
    await replica?.end();
  });

  it('shows a row written on the primary on the replica within a few seconds', async () => {
    await primary.query(`CREATE TABLE cart.${table} (id CHAR(36) PRIMARY KEY, note VARCHAR(64) NOT NULL)`);
    const id = randomUUID();
    const started = Date.now();
    await primary.query(`INSERT INTO cart.${table} (id, note) VALUES (?, ?)`, [id, 'replicated']);
    const note = await waitFor(async () => {
      const [rows] = await replica
        .query<mysql.RowDataPacket[]>(`SELECT note FROM cart.${table} WHERE id = ?`, [id])
        .catch(() => [[] as mysql.RowDataPacket[]]);
      return rows[0]?.note as string | undefined;
    }, 5000);
    expect(note).toBe('replicated');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses application writes on the replica', async () => {
    await expect(
      replica.query(`INSERT INTO cart.${table} (id, note) VALUES (?, ?)`, [randomUUID(), 'x']),
    ).rejects.toThrow(/read-only/);
  });

  it('writes a full-image ROW binlog with GTIDs on the primary', async () => {
    const root = await connect(env.MYSQL_PORT!);
    try {
      const [rows] = await root.query<mysql.RowDataPacket[]>(
        'SELECT @@log_bin AS logBin, @@binlog_format AS format, @@binlog_row_image AS image, @@server_id AS serverId, @@gtid_binlog_pos AS gtid',
      );
      expect(rows[0]).toMatchObject({ logBin: 1, format: 'ROW', image: 'FULL', serverId: 1 });
      expect(rows[0]!.gtid).toMatch(/^0-1-\d+$/);
    } finally {
      await root.end();
    }
  });

  it('replicates with both threads running on GTID positions', async () => {
    const root = await connect(env.MYSQL_REPLICA_PORT!);
    try {
      const [rows] = await root.query<mysql.RowDataPacket[]>('SHOW SLAVE STATUS');
      expect(rows[0]).toMatchObject({
        Slave_IO_Running: 'Yes',
        Slave_SQL_Running: 'Yes',
        Using_Gtid: 'Slave_Pos',
        Master_Port: Number(env.MYSQL_PORT),
      });
    } finally {
      await root.end();
    }
  });

  it('gives the debezium user what the connector needs', async () => {
    const dbz = await connect(env.MYSQL_PORT!, 'debezium', 'debezium-dev');
    try {
      const [grants] = await dbz.query<mysql.RowDataPacket[]>('SHOW GRANTS');
      const text = grants.map((g) => Object.values(g)[0] as string).join('\n');
      // MariaDB 10.5+ prints REPLICATION CLIENT under its new name, BINLOG MONITOR.
      for (const privilege of ['SELECT', 'RELOAD', 'SHOW DATABASES', 'REPLICATION SLAVE', 'BINLOG MONITOR']) {
        expect(text).toContain(privilege);
      }
      // What the connector actually runs when it starts streaming.
      const [status] = await dbz.query<mysql.RowDataPacket[]>('SHOW MASTER STATUS');
      expect(status[0]?.File).toMatch(/^mariadb-bin\.\d+$/);
      const [logs] = await dbz.query<mysql.RowDataPacket[]>('SHOW BINARY LOGS');
      expect(logs.length).toBeGreaterThan(0);
    } finally {
      await dbz.end();
    }
  });
});
