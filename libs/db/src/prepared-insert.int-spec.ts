import 'reflect-metadata';
import { BeforeInsert, Column, Entity, type DataSource } from 'typeorm';
import { uuidv7 } from '@nexus/core';
import { BaseEntity } from './base.entity';
import { createDataSource } from './data-source';
import { insertRoot } from './prepared-insert';
import { inTransaction } from './transaction';

@Entity({ name: 'crates' })
class Crate extends BaseEntity {
  @Column({ type: 'text' })
  label!: string;

  @Column({ type: 'jsonb', default: { slots: 4 } })
  layout!: { slots: number };

  @Column({ type: 'text', nullable: true })
  note!: string | null;
}

/** Has an insert listener: insert() writes it, so the listener runs. */
@Entity({ name: 'barrels' })
class Barrel extends BaseEntity {
  @Column({ type: 'text' })
  label!: string;

  @BeforeInsert()
  stamp(): void {
    this.label = `${this.label} (stamped)`;
  }
}

const schema = `prepared_insert_${Date.now()}`;
let dataSource: DataSource;

beforeAll(async () => {
  dataSource = createDataSource({
    url: process.env.DATABASE_URL!,
    schema,
    entities: [Crate, Barrel],
    migrations: [],
    poolSize: 2,
    maxOverflow: 0,
    sqlEcho: false,
    applicationName: 'prepared-insert-test',
  });
  await dataSource.initialize();
  await dataSource.query(`CREATE SCHEMA "${schema}"`);
  await dataSource.synchronize(); // fixture tables for the generic code, not a service schema
});

afterAll(async () => {
  await dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
  await dataSource.destroy();
});

describe('insertRoot', () => {
  it('inserts as insert() does, defaults and bookkeeping read back into the entity', async () => {
    const metadata = dataSource.getMetadata(Crate);
    const { entity, prepared } = await inTransaction(dataSource, null, async (tx) => {
      const crate = tx.manager.create(Crate, { id: uuidv7(), label: 'apples' });
      await insertRoot(tx.manager, metadata, crate);
      const statements = await tx.manager.query<{ statement: string }[]>(
        `SELECT statement FROM pg_prepared_statements WHERE name LIKE 'nexus_insert_%'`,
      );
      return { entity: crate, prepared: statements };
    });
    expect(prepared.some(({ statement }) => statement.includes('"crates"'))).toBe(true);
    const stored = await dataSource.manager.findOneByOrFail(Crate, { id: entity.id });
    expect(stored).toMatchObject({ label: 'apples', layout: { slots: 4 }, note: null, version: 1 });
    // What insert() reads back is on the entity, equal to the row.
    expect(entity.version).toBe(1);
    expect(entity.layout).toEqual({ slots: 4 });
    expect(entity.createdAt).toEqual(stored.createdAt);
    expect(entity.updatedAt).toEqual(stored.updatedAt);
  });

  it('binds given values, a JSON value and null among them', async () => {
    const metadata = dataSource.getMetadata(Crate);
    const id = uuidv7();
    await inTransaction(dataSource, null, (tx) =>
      insertRoot(
        tx.manager,
        metadata,
        tx.manager.create(Crate, { id, label: 'pears', layout: { slots: 9 }, note: null }),
      ),
    );
    expect(await dataSource.manager.findOneByOrFail(Crate, { id })).toMatchObject({
      label: 'pears',
      layout: { slots: 9 },
      note: null,
    });
  });

  it('leaves an entity with an insert listener to insert(), so the listener runs', async () => {
    const id = uuidv7();
    await inTransaction(dataSource, null, (tx) =>
      insertRoot(
        tx.manager,
        dataSource.getMetadata(Barrel),
        tx.manager.create(Barrel, { id, label: 'oak' }),
      ),
    );
    expect((await dataSource.manager.findOneByOrFail(Barrel, { id })).label).toBe('oak (stamped)');
  });
});
