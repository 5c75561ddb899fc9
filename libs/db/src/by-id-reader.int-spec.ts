import 'reflect-metadata';
import {
  AfterLoad,
  Column,
  Entity,
  QueryFailedError,
  type DataSource,
  type EntityTarget,
  type FindOptionsWhere,
  type ObjectLiteral,
} from 'typeorm';
import { uuidv7 } from '@nexus/core';
import { SoftDeletableEntity } from './base.entity';
import { ByIdReader } from './by-id-reader';
import { createDataSource } from './data-source';
import { ROW_WRITE_LOCK, inTransaction } from './transaction';

/** Every kind of column a service entity uses, so hydration is compared on all of them. */
@Entity({ name: 'gadgets' })
class Gadget extends SoftDeletableEntity {
  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'enum', enum: ['small', 'large'], enumName: 'gadget_size', default: 'small' })
  size!: 'small' | 'large';

  @Column({ type: 'jsonb', default: {} })
  settings!: Record<string, unknown>;

  @Column({ type: 'numeric', precision: 12, scale: 4, nullable: true })
  price!: string | null;

  @Column({ type: 'text', array: true, default: '{}' })
  tags!: string[];

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  seenAt!: Date | null;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Column({
    type: 'text',
    default: '',
    transformer: { to: (v: string) => v.toLowerCase(), from: (v: string) => v.toUpperCase() },
  })
  code!: string;
}

/** An entity with an @AfterLoad listener: the reader must leave it to findOne. */
@Entity({ name: 'watched' })
class Watched extends SoftDeletableEntity {
  @Column({ type: 'text' })
  name!: string;

  loaded = false;

  @AfterLoad()
  markLoaded(): void {
    this.loaded = true;
  }
}

const schema = `by_id_${Date.now()}`;
const entities = [Gadget, Watched];
const dataSources: DataSource[] = [];

async function open(poolSize = 4): Promise<DataSource> {
  const dataSource = createDataSource({
    url: process.env.DATABASE_URL!,
    schema,
    entities,
    migrations: [],
    poolSize,
    maxOverflow: 0,
    sqlEcho: false,
    applicationName: 'by-id-test',
  });
  await dataSource.initialize();
  dataSources.push(dataSource);
  return dataSource;
}

let dataSource: DataSource;

beforeAll(async () => {
  dataSource = await open();
  await dataSource.query(`CREATE SCHEMA "${schema}"`);
  await dataSource.synchronize(); // fixture tables for the generic code, not a service schema
});

afterAll(async () => {
  await dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
  await Promise.all(dataSources.map((source) => source.destroy()));
});

async function insertGadget(values: Partial<Gadget> = {}): Promise<string> {
  const id = uuidv7();
  const gadget = dataSource.manager.create(Gadget, {
    id,
    name: `gadget-${id.slice(-6)}`,
    size: 'large',
    settings: { theme: 'dark', nested: { list: [1, 'two', null] } },
    price: '12.3400',
    tags: ['a', 'b'],
    seenAt: new Date('2026-01-02T03:04:05.678Z'),
    enabled: false,
    code: 'MiXeD',
    ...values,
  });
  await dataSource.manager.save(gadget);
  return id;
}

/** What TypeORM's findOne returns, for comparison. */
function findOne<E extends ObjectLiteral>(
  target: EntityTarget<E>,
  id: string,
  withDeleted: boolean,
): Promise<E | null> {
  return dataSource.manager.findOne(target, {
    where: { id } as unknown as FindOptionsWhere<E>,
    withDeleted,
  });
}

describe('ByIdReader', () => {
  it('returns exactly what findOne returns, column for column and of the same class', async () => {
    const id = await insertGadget();
    const nulls = await insertGadget({ price: null, seenAt: null, tags: [], settings: {} });
    const reader = new ByIdReader(dataSource, Gadget);
    for (const each of [id, nulls]) {
      const fast = await reader.findById(each, { manager: dataSource.manager, withDeleted: false });
      const slow = await findOne(Gadget, each, false);
      expect(fast).toBeInstanceOf(Gadget);
      expect(fast).toStrictEqual(slow);
    }
    expect(
      await reader.findById(id, { manager: dataSource.manager, withDeleted: false }),
    ).toMatchObject({ code: 'MIXED', price: '12.3400', size: 'large', deletedAt: null });
  });

  it('hides a soft-deleted row unless withDeleted, as findOne does', async () => {
    const id = await insertGadget({ deletedAt: new Date('2026-02-03T04:05:06.789Z') });
    const reader = new ByIdReader(dataSource, Gadget);
    const { manager } = dataSource;
    expect(await reader.findById(id, { manager, withDeleted: false })).toBeNull();
    expect(await findOne(Gadget, id, false)).toBeNull();
    const withDeleted = await reader.findById(id, { manager, withDeleted: true });
    expect(withDeleted?.deletedAt).toEqual(new Date('2026-02-03T04:05:06.789Z'));
    expect(withDeleted).toStrictEqual(await findOne(Gadget, id, true));
  });

  it('returns null for an id that is not there', async () => {
    const reader = new ByIdReader(dataSource, Gadget);
    expect(
      await reader.findById(uuidv7(), { manager: dataSource.manager, withDeleted: true }),
    ).toBeNull();
  });

  it('sends the SQL findOne sends, as a named statement prepared once per connection', async () => {
    const id = await insertGadget();
    const reader = new ByIdReader(dataSource, Gadget);
    const sent: string[] = [];
    const spy = jest
      .spyOn(dataSource.logger, 'logQuery')
      .mockImplementation((query: string) => void sent.push(query));
    try {
      await findOne(Gadget, id, false);
      await reader.findById(id, { manager: dataSource.manager, withDeleted: false });
    } finally {
      spy.mockRestore();
    }
    expect(sent).toHaveLength(2);
    expect(sent[1]).toBe(sent[0]);

    const prepared = await inTransaction(dataSource, null, async (tx) => {
      await reader.findById(id, { manager: tx.manager, withDeleted: false });
      await reader.findById(id, { manager: tx.manager, withDeleted: false });
      return tx.manager.query<{ name: string }[]>(
        'SELECT name FROM pg_prepared_statements WHERE statement = $1',
        [sent[0]],
      );
    });
    expect(prepared).toHaveLength(1);
    expect(prepared[0]?.name).toMatch(/^nexus_by_id_/);
  });

  it('locks the row inside a transaction: a second writer waits for the first', async () => {
    const id = await insertGadget();
    const reader = new ByIdReader(dataSource, Gadget);
    const order: string[] = [];
    const writer = (name: string, holdMs: number) =>
      inTransaction(dataSource, null, async (tx) => {
        const row = await reader.findById(id, {
          manager: tx.manager,
          withDeleted: false,
          lock: ROW_WRITE_LOCK,
        });
        expect(row).toStrictEqual(await findOne(Gadget, id, false));
        order.push(`${name} locked`);
        await new Promise((resolve) => setTimeout(resolve, holdMs));
        order.push(`${name} done`);
      });
    const first = writer('first', 300);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await Promise.all([first, writer('second', 0)]);
    expect(order).toEqual(['first locked', 'first done', 'second locked', 'second done']);
  });

  it('refuses a lock outside a transaction the way findOne does', async () => {
    const id = await insertGadget();
    const reader = new ByIdReader(dataSource, Gadget);
    await expect(
      reader.findById(id, {
        manager: dataSource.manager,
        withDeleted: false,
        lock: ROW_WRITE_LOCK,
      }),
    ).rejects.toThrow(/transaction/i);
  });

  it('leaves entities with load listeners to findOne, so the listener still runs', async () => {
    const id = uuidv7();
    await dataSource.manager.insert(Watched, { id, name: 'watched' });
    const reader = new ByIdReader(dataSource, Watched);
    const found = await reader.findById(id, { manager: dataSource.manager, withDeleted: false });
    expect(found?.loaded).toBe(true);
  });

  it('answers through findOne when a prepared statement went stale after a column type change', async () => {
    const single = await open(1); // one connection: the statement is certainly prepared on it
    const id = uuidv7();
    try {
      const reader = new ByIdReader(single, Gadget);
      await reader.findById(id, { manager: single.manager, withDeleted: false });
      // The reader's statement names "gadgets"; change a selected column's type under it.
      await single.query(`ALTER TABLE "${schema}"."gadgets" ALTER COLUMN name TYPE varchar(200)`);
      await insertGadget({ id, name: 'after the change' });
      const findOneSpy = jest.spyOn(single.manager, 'findOne');
      expect(
        await reader.findById(id, { manager: single.manager, withDeleted: false }),
      ).toMatchObject({ id, name: 'after the change' });
      expect(findOneSpy).toHaveBeenCalledTimes(1);
    } finally {
      await single.query(`ALTER TABLE "${schema}"."gadgets" ALTER COLUMN name TYPE text`);
    }
  });

  it('fails with a QueryFailedError, as findOne does, when the query fails', async () => {
    const reader = new ByIdReader(dataSource, Gadget);
    await expect(
      reader.findById('not-a-uuid', { manager: dataSource.manager, withDeleted: false }),
    ).rejects.toBeInstanceOf(QueryFailedError);
  });
});
