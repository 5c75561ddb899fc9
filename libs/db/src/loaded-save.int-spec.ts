import 'reflect-metadata';
import { BeforeUpdate, Column, Entity, JoinColumn, ManyToOne, type DataSource } from 'typeorm';
import { uuidv7 } from '@nexus/core';
import { BaseEntity, SoftDeletableEntity } from './base.entity';
import { ByIdReader } from './by-id-reader';
import { createDataSource } from './data-source';
import { saveLoaded } from './loaded-save';
import { ROW_WRITE_LOCK, inTransaction } from './transaction';

@Entity({ name: 'boxes' })
class Box extends SoftDeletableEntity {
  @Column({ type: 'text' })
  label!: string;

  @Column({ type: 'jsonb', default: {} })
  contents!: { items?: string[]; [key: string]: unknown };

  @Column({ type: 'text', array: true, default: '{}' })
  tags!: string[];

  @Column({ type: 'bytea', nullable: true })
  seal!: Buffer | null;
}

/** Has a relation: saved alone while it is not loaded, by save() when it is set. */
@Entity({ name: 'lids' })
class Lid extends BaseEntity {
  @Column({ type: 'text' })
  colour!: string;

  @Column({ type: 'uuid' })
  boxId!: string;

  @ManyToOne(() => Box)
  @JoinColumn({ name: 'box_id' })
  box?: Box;
}

/** Has an update listener: TypeORM's executor writes it, so the listener runs. */
@Entity({ name: 'jars' })
class Jar extends BaseEntity {
  @Column({ type: 'text' })
  label!: string;

  @Column({ type: 'integer', default: 0 })
  listenerRuns!: number;

  @BeforeUpdate()
  countRun(): void {
    this.listenerRuns += 1;
  }
}

const schema = `loaded_save_${Date.now()}`;
let dataSource: DataSource;

beforeAll(async () => {
  dataSource = createDataSource({
    url: process.env.DATABASE_URL!,
    schema,
    entities: [Box, Lid, Jar],
    migrations: [],
    poolSize: 2,
    maxOverflow: 0,
    sqlEcho: false,
    applicationName: 'loaded-save-test',
  });
  await dataSource.initialize();
  await dataSource.query(`CREATE SCHEMA "${schema}"`);
  await dataSource.synchronize(); // fixture tables for the generic code, not a service schema
});

afterAll(async () => {
  await dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
  await dataSource.destroy();
});

async function newBox(): Promise<Box> {
  const box = dataSource.manager.create(Box, {
    id: uuidv7(),
    label: 'plain',
    contents: { items: ['a'], note: { depth: 1 } },
    tags: ['x'],
    seal: Buffer.from([1, 2, 3]),
  });
  return dataSource.manager.save(box);
}

/** Locks and reads the row, applies `change`, saves with saveLoaded; returns the SQL it sent after the read. */
async function change<E extends { id: string }>(
  target: new () => E,
  id: string,
  mutate: (entity: E) => void,
): Promise<{ saved: E; sql: string[] }> {
  const reader = new ByIdReader<E>(dataSource, target);
  return inTransaction(dataSource, null, async (tx) => {
    const read = await reader.findWithCopy(id, {
      manager: tx.manager,
      withDeleted: false,
      lock: ROW_WRITE_LOCK,
    });
    if (!read) throw new Error(`no ${target.name} ${id}`);
    mutate(read.entity);
    const sql: string[] = [];
    const spy = jest
      .spyOn(dataSource.logger, 'logQuery')
      .mockImplementation((query: string) => void sent(sql, query));
    try {
      await saveLoaded(tx.manager, read.entity, read.copy);
    } finally {
      spy.mockRestore();
    }
    return { saved: read.entity, sql };
  });
}

function sent(into: string[], query: string): void {
  into.push(query.trim().split(/\s+/)[0]?.toUpperCase() ?? '');
}

describe('saveLoaded', () => {
  it('writes a change with one UPDATE and no second read, as save() leaves the entity', async () => {
    const box = await newBox();
    const { saved, sql } = await change(Box, box.id, (b) => void (b.label = 'renamed'));
    expect(sql).toEqual(['UPDATE']);
    expect(saved.version).toBe(box.version + 1);
    expect(saved.updatedAt.getTime()).toBeGreaterThanOrEqual(box.updatedAt.getTime());

    // The same change through save() leaves an entity of the same shape and values.
    const twin = await newBox();
    const viaSave = await inTransaction(dataSource, null, async (tx) => {
      const row = await tx.manager.findOneByOrFail(Box, { id: twin.id });
      row.label = 'renamed';
      return tx.manager.save(row);
    });
    const comparable = (b: Box) => ({ ...b, id: '', createdAt: 0, updatedAt: 0 });
    expect(comparable(saved)).toStrictEqual(comparable(viaSave));
    expect(await dataSource.manager.findOneByOrFail(Box, { id: box.id })).toStrictEqual(saved);
  });

  it('sees a change made in place inside a JSON value, an array or a buffer', async () => {
    const box = await newBox();
    await change(Box, box.id, (b) => void b.contents.items?.push('b'));
    await change(Box, box.id, (b) => void b.tags.push('y'));
    const { saved } = await change(Box, box.id, (b) => void (b.seal![0] = 9));
    expect(saved.version).toBe(box.version + 3);
    expect(await dataSource.manager.findOneByOrFail(Box, { id: box.id })).toMatchObject({
      contents: { items: ['a', 'b'], note: { depth: 1 } },
      tags: ['x', 'y'],
      seal: Buffer.from([9, 2, 3]),
      version: box.version + 3,
    });
  });

  it('writes nothing when nothing changed', async () => {
    const box = await newBox();
    const { saved, sql } = await change(Box, box.id, (b) => void (b.label = 'plain'));
    expect(sql).toEqual([]);
    expect(saved.version).toBe(box.version);
  });

  it('writes an entity whose relation is not loaded with one UPDATE, as save() would', async () => {
    const box = await newBox();
    const lid = await dataSource.manager.save(
      dataSource.manager.create(Lid, { id: uuidv7(), colour: 'red', boxId: box.id }),
    );
    const { saved, sql } = await change(Lid, lid.id, (l) => void (l.colour = 'blue'));
    expect(sql).toEqual(['UPDATE']);
    expect(saved).toMatchObject({ colour: 'blue', boxId: box.id, version: lid.version + 1 });
    expect(await dataSource.manager.findOneByOrFail(Lid, { id: lid.id })).toMatchObject({
      colour: 'blue',
      boxId: box.id,
    });
  });

  it('leaves an entity with a relation set to save(), which reads the row again', async () => {
    const box = await newBox();
    const other = await newBox();
    const lid = await dataSource.manager.save(
      dataSource.manager.create(Lid, { id: uuidv7(), colour: 'red', boxId: box.id }),
    );
    const { saved, sql } = await change(Lid, lid.id, (l) => {
      l.colour = 'blue';
      l.box = other;
    });
    expect(sql).toEqual(['SELECT', 'UPDATE']);
    expect(saved).toMatchObject({ colour: 'blue', version: lid.version + 1 });
    expect((await dataSource.manager.findOneByOrFail(Lid, { id: lid.id })).boxId).toBe(other.id);
  });

  it('sends the UPDATE as a named prepared statement, one per set of changed columns', async () => {
    const box = await newBox();
    const prepared = await inTransaction(dataSource, null, async (tx) => {
      const reader = new ByIdReader<Box>(dataSource, Box);
      for (const label of ['one', 'two']) {
        const read = await reader.findWithCopy(box.id, {
          manager: tx.manager,
          withDeleted: false,
          lock: ROW_WRITE_LOCK,
        });
        read!.entity.label = label;
        await saveLoaded(tx.manager, read!.entity, read!.copy);
      }
      return tx.manager.query<{ statement: string }[]>(
        `SELECT statement FROM pg_prepared_statements WHERE name LIKE 'nexus_update_%'`,
      );
    });
    const forLabel = prepared.filter(({ statement }) =>
      /SET "label" = \$1, "version" = "version" \+ 1, "updated_at" = CURRENT_TIMESTAMP WHERE "id" = \$2/.test(
        statement,
      ),
    );
    expect(forLabel).toHaveLength(1);
    expect(await dataSource.manager.findOneByOrFail(Box, { id: box.id })).toMatchObject({
      label: 'two',
      version: box.version + 2,
    });
  });

  it('leaves an entity with an update listener to TypeORM, so the listener runs', async () => {
    const jar = await dataSource.manager.save(
      dataSource.manager.create(Jar, { id: uuidv7(), label: 'jam' }),
    );
    const { saved } = await change(Jar, jar.id, (j) => void (j.label = 'honey'));
    expect(saved).toMatchObject({ label: 'honey', version: jar.version + 1 });
    expect(await dataSource.manager.findOneByOrFail(Jar, { id: jar.id })).toMatchObject({
      label: 'honey',
      listenerRuns: 1,
    });
  });
});
