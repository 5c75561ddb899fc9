import 'reflect-metadata';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, type Pool as PgPool } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource, guardPoolConnections } from './data-source';
import { isDatabaseUnavailable } from './pg-errors';
import { inTransaction } from './transaction';

let dataSource: DataSource;
let admin: Client;
const heard: Error[] = [];

beforeAll(async () => {
  dataSource = createDataSource({
    url: process.env.DATABASE_URL!,
    schema: 'public',
    entities: [],
    migrations: [],
    poolSize: 2,
    maxOverflow: 0,
    sqlEcho: false,
    applicationName: 'connection-loss-test',
  });
  await dataSource.initialize();
  guardPoolConnections(dataSource, (error) => heard.push(error));
  admin = new Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
});

afterAll(async () => {
  await admin.end();
  await dataSource.destroy();
});

describe('a transaction whose connection the server closes', () => {
  // As in a PostgreSQL restart: the session is terminated between two queries.
  it('fails as the database being unavailable, not as a released query runner (a bug)', async () => {
    const failure = await inTransaction(dataSource, null, async (tx) => {
      const [{ pid }] = await tx.manager.query<{ pid: number }[]>('SELECT pg_backend_pid() AS pid');
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await sleep(200); // the client hears of it
      await tx.manager.query('SELECT 1');
    }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).not.toMatch(/released/i);
    expect(isDatabaseUnavailable(failure)).toBe(true);
  });

  it('leaves the pool usable for the next transaction', async () => {
    const [{ one }] = await inTransaction(dataSource, null, (tx) =>
      tx.manager.query<{ one: number }[]>('SELECT 1 AS one'),
    );
    expect(one).toBe(1);
  });
});

describe('a pooled connection the server ends while it is checked out and idle', () => {
  // node-postgres would emit an unhandled 'error' (the process dies) but for the guard.
  it('is heard by the guard, and the pool drops it', async () => {
    const pool = (dataSource.driver as unknown as { master: PgPool }).master;
    // Two at once: one the pool opened during initialize, before the guard
    // was given, and one it opens now.
    expect(pool.totalCount).toBe(1);
    heard.length = 0;
    const [first, second] = await Promise.all([pool.connect(), pool.connect()]);
    for (const connection of [first, second]) {
      const { rows } = await connection.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
    }
    await sleep(200);
    first.release();
    second.release();
    // Each hears the termination (and may then hear its socket close).
    const terminations = heard.filter((error) => (error as { code?: string }).code === '57P01');
    expect(terminations).toHaveLength(2);
    const [{ one }] = await dataSource.query<{ one: number }[]>('SELECT 1 AS one');
    expect(one).toBe(1);
  });
});
