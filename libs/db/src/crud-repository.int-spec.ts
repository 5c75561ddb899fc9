import 'reflect-metadata';
import { Column, Entity, type DataSource } from 'typeorm';
import { KitError, requestFingerprint, uuidv7, type IdempotencyKey } from '@nexus/core';
import { defineAggregate } from './aggregate';
import { SoftDeletableEntity, etagOf } from './base.entity';
import { CrudRepository } from './crud-repository';
import { createDataSource } from './data-source';
import { OutboxEvent } from './kit-tables.entity';
import { PageTokenCodec } from './page-token';
import { inTransaction } from './transaction';

@Entity({ name: 'widgets' })
class Widget extends SoftDeletableEntity {
  @Column({ type: 'text' })
  name!: string;
}

const widgetAggregate = defineAggregate<Widget>({
  service: 'kit-test',
  name: 'widget',
  toResource: (w) => ({ id: w.id, name: w.name, deleted: w.deletedAt !== null, etag: etagOf(w) }),
});

const schema = `crud_${Date.now()}`;
let dataSource: DataSource;
let widgets: CrudRepository<Widget>;

beforeAll(async () => {
  dataSource = createDataSource({
    url: process.env.DATABASE_URL!,
    schema,
    entities: [Widget],
    migrations: [],
    poolSize: 4,
    maxOverflow: 0,
    sqlEcho: false,
    applicationName: 'crud-test',
  });
  await dataSource.initialize();
  await dataSource.query(`CREATE SCHEMA "${schema}"`);
  await dataSource.synchronize(); // a fixture table for the generic code, not a service schema
  widgets = new CrudRepository(
    dataSource,
    Widget,
    widgetAggregate,
    new PageTokenCodec('x'.repeat(32)),
  );
});

afterAll(async () => {
  await dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
  await dataSource.destroy();
});

/** The key a call by `caller` of `method` with `name` as its request would carry. */
const keyOf = (requestId: string, name: string, caller = 'caller-1', method = 'CreateWidget') => ({
  requestId,
  caller,
  method,
  fingerprint: requestFingerprint({ requestId, name }),
});
const create = (name: string, key?: IdempotencyKey) =>
  inTransaction(dataSource, 'actor-1', (tx) => widgets.create(tx, { name }, key));
const eventsAbout = (id: string) =>
  dataSource.manager.find(OutboxEvent, { where: { messageKey: id }, order: { id: 'ASC' } });

describe('CrudRepository', () => {
  it('creates with a UUIDv7, database times, version 1 and one created event', async () => {
    const { entity, created } = await create('first');
    expect(created).toBe(true);
    expect(entity).toMatchObject({ name: 'first', version: 1, deletedAt: null });
    expect(entity.createdAt).toBeInstanceOf(Date);
    const events = await eventsAbout(entity.id);
    expect(events.map((e) => e.type)).toEqual(['nexus.kit-test.widget.created']);
    expect(events[0]?.payload).toEqual({
      before: null,
      after: { id: entity.id, name: 'first', deleted: false, etag: '"1"' },
      changed: ['deleted', 'id', 'name'],
      actor: 'actor-1',
    });
  });

  it("returns the first entity to the same caller's replay of the same request", async () => {
    const requestId = uuidv7();
    const first = await create('once', keyOf(requestId, 'once'));
    const again = await create('once', keyOf(requestId, 'once'));
    expect(again).toMatchObject({ entity: { id: first.entity.id, name: 'once' }, created: false });
    expect(await eventsAbout(first.entity.id)).toHaveLength(1);
  });

  it('refuses a request id presented by another caller, for another request or method, alike', async () => {
    const requestId = uuidv7();
    await create('mine', keyOf(requestId, 'mine'));
    const before = await widgets.count({}, { withDeleted: true });
    for (const key of [
      keyOf(requestId, 'mine', 'caller-2'),
      keyOf(requestId, 'mine', ''),
      keyOf(requestId, 'other body'),
      keyOf(requestId, 'mine', 'caller-1', 'CreateGadget'),
    ]) {
      const refused = await create(key.fingerprint, key).then(
        () => null,
        (error: KitError) => error,
      );
      expect(refused).toMatchObject({
        code: 'INVALID_ARGUMENT',
        violations: [{ field: 'request_id', reason: 'REUSED' }],
      });
      // One answer whoever asks: nothing of the first resource in it.
      expect(refused?.message).toBe(
        'invalid request: request_id: was already used for a different request',
      );
    }
    expect(await widgets.count({}, { withDeleted: true })).toBe(before);
  });

  it('lets exactly one of two racing first uses of a request id create', async () => {
    const requestId = uuidv7();
    const results = await Promise.allSettled([
      create('racer', keyOf(requestId, 'racer')),
      create('racer', keyOf(requestId, 'racer')),
      create('racer', keyOf(requestId, 'racer', 'caller-2')),
    ]);
    const made = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const ids = new Set(made.map((r) => r.entity.id));
    expect(ids.size).toBe(1);
    expect(made.filter((r) => r.created)).toHaveLength(1);
    expect(await widgets.count({ name: 'racer' })).toBe(1);
  });

  it('updates under an etag, skips no-op updates, and aborts on a stale etag', async () => {
    const { entity } = await create('before');
    const updated = await inTransaction(dataSource, null, (tx) =>
      widgets.update(tx, entity.id, { etag: '"1"', apply: (w) => void (w.name = 'after') }),
    );
    expect(updated.version).toBe(2);
    await inTransaction(dataSource, null, (tx) =>
      widgets.update(tx, entity.id, { apply: (w) => void (w.name = 'after') }),
    );
    expect((await widgets.get(entity.id)).version).toBe(2);
    const stale = inTransaction(dataSource, null, (tx) =>
      widgets.update(tx, entity.id, { etag: '"1"', apply: (w) => void (w.name = 'lost') }),
    );
    await expect(stale).rejects.toMatchObject({ code: 'ETAG_MISMATCH', kind: 'aborted' });
    expect((await eventsAbout(entity.id)).map((e) => e.type)).toEqual([
      'nexus.kit-test.widget.created',
      'nexus.kit-test.widget.updated',
    ]);
  });

  it('soft-deletes out of sight, undeletes back, and hard-deletes for good', async () => {
    const { entity } = await create('trash me');
    await inTransaction(dataSource, null, (tx) => widgets.delete(tx, entity.id, { soft: true }));
    await expect(widgets.get(entity.id)).rejects.toBeInstanceOf(KitError);
    expect((await widgets.get(entity.id, { withDeleted: true })).deletedAt).toBeInstanceOf(Date);
    expect(await widgets.exists({ id: entity.id })).toBe(false);
    expect(await widgets.count({ id: entity.id }, { withDeleted: true })).toBe(1);

    await inTransaction(dataSource, null, (tx) => widgets.undelete(tx, entity.id));
    expect((await widgets.get(entity.id)).deletedAt).toBeNull();
    await expect(
      inTransaction(dataSource, null, (tx) => widgets.undelete(tx, entity.id)),
    ).rejects.toMatchObject({
      code: 'NOT_DELETED',
    });

    await inTransaction(dataSource, null, (tx) => widgets.delete(tx, entity.id, { soft: false }));
    expect(await widgets.find(entity.id, { withDeleted: true })).toBeNull();
    const types = (await eventsAbout(entity.id)).map((e) => e.type.split('.').at(-1));
    expect(types).toEqual(['created', 'deleted', 'restored', 'deleted']);
  });

  it('pages by keyset with stable results while rows are inserted between pages', async () => {
    const tag = uuidv7().slice(-6);
    for (let i = 0; i < 5; i += 1) await create(`${tag}-${i}`);
    const query = (pageToken: string) =>
      widgets.list({
        filter: (qb) => qb.andWhere('e.name LIKE :p', { p: `${tag}-%` }),
        filterValues: { tag },
        order: { key: 'name_asc', property: 'name', direction: 'ASC' },
        pageSize: 2,
        pageToken,
        includeTotal: true,
      });
    const first = await query('');
    await create(`${tag}-0a`); // sorts before the cursor: must not shift later pages
    const second = await query(first.nextPageToken);
    const third = await query(second.nextPageToken);
    expect(first.totalSize).toBe(5);
    expect([...first.items, ...second.items, ...third.items].map((w) => w.name)).toEqual(
      [0, 1, 2, 3, 4].map((i) => `${tag}-${i}`),
    );
    expect(third.nextPageToken).toBe('');
  });

  it('writes nothing when the transaction fails after the change', async () => {
    const name = `rolled-back-${uuidv7()}`;
    await expect(
      inTransaction(dataSource, null, async (tx) => {
        await widgets.create(tx, { name });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await widgets.exists({ name })).toBe(false);
    const events = await dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM "${schema}"."outbox" WHERE payload->'after'->>'name' = $1`,
      [name],
    );
    expect(events[0]?.n).toBe(0);
  });
});

describe('inTransaction', () => {
  it('runs the work again after a deadlock, writing its effects once', async () => {
    const a = (await create('deadlock-a')).entity;
    const b = (await create('deadlock-b')).entity;
    // Two transactions lock the rows in opposite orders: PostgreSQL aborts one with a deadlock.
    const rename = (first: Widget, second: Widget, name: string) =>
      inTransaction(dataSource, null, async (tx) => {
        await tx.manager.query(`UPDATE "${schema}"."widgets" SET name = $1 WHERE id = $2`, [
          name,
          first.id,
        ]);
        await new Promise((resolve) => setTimeout(resolve, 100));
        await tx.manager.query(`UPDATE "${schema}"."widgets" SET name = $1 WHERE id = $2`, [
          name,
          second.id,
        ]);
      });
    await Promise.all([rename(a, b, 'left'), rename(b, a, 'right')]);
    const names = [(await widgets.get(a.id)).name, (await widgets.get(b.id)).name];
    expect(names[0]).toBe(names[1]); // the retried transaction ran in full after the other
  });
});
