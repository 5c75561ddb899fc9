import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { createDataSource } from './data-source';
import { queryPrepared } from './prepared-query';
import { inTransaction } from './transaction';

let dataSource: DataSource;

beforeAll(async () => {
  dataSource = createDataSource({
    url: process.env.DATABASE_URL!,
    schema: 'public',
    entities: [],
    migrations: [],
    poolSize: 1,
    maxOverflow: 0,
    sqlEcho: false,
    applicationName: 'prepared-query-test',
  });
  await dataSource.initialize();
});

afterAll(() => dataSource.destroy());

const SQL = 'SELECT $1::int + $2::int AS sum';

describe('queryPrepared', () => {
  it('runs fixed SQL as one named statement per text, in a transaction or not', async () => {
    // One pooled connection: the statement it prepared outside the transaction serves inside it.
    expect(await queryPrepared(dataSource.manager, SQL, [1, 2])).toEqual([{ sum: 3 }]);
    const prepared = await inTransaction(dataSource, null, async (tx) => {
      expect(await queryPrepared(tx.manager, SQL, [20, 22])).toEqual([{ sum: 42 }]);
      return tx.manager.query<{ name: string }[]>(
        `SELECT name FROM pg_prepared_statements WHERE statement = $1`,
        [SQL],
      );
    });
    expect(prepared).toHaveLength(1);
    expect(prepared[0]?.name).toMatch(/^nexus_sql_[0-9a-f]{20}$/);
  });

  it('fails as manager.query fails, with the database error', async () => {
    const failure = await queryPrepared(dataSource.manager, 'SELECT 1 / $1::int', [0]).then(
      () => null,
      (error: unknown) => error as { name: string; driverError: { code: string } },
    );
    expect(failure?.name).toBe('QueryFailedError');
    expect(failure?.driverError.code).toBe('22012');
  });
});
