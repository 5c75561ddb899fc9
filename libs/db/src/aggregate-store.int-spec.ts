import 'reflect-metadata';
import {
  Column,
  Entity,
  In,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type DataSource,
  type EntityManager,
} from 'typeorm';
import { KitError, requestFingerprint, uuidv7 } from '@nexus/core';
import { defineAggregate } from './aggregate';
import { AggregateStore } from './aggregate-store';
import { SoftDeletableEntity, etagOf } from './base.entity';
import { createDataSource } from './data-source';
import { OutboxEvent } from './kit-tables.entity';
import { PageTokenCodec } from './page-token';
import { inTransaction, type Tx } from './transaction';

/** An aggregate root whose resource shows its child rows (as a room shows its members). */
@Entity({ name: 'crates' })
class Crate extends SoftDeletableEntity {
  @Column({ type: 'text' })
  name!: string;

  /** Not a column: the store's hydrate hook loads it. */
  bottles?: Bottle[];
}

@Entity({ name: 'bottles' })
class Bottle {
  @PrimaryColumn({ type: 'uuid' })
  crateId!: string;

  @PrimaryColumn({ type: 'text' })
  label!: string;

  @Column({ type: 'integer' })
  slot!: number;

  @ManyToOne(() => Crate, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'crate_id' })
  crate?: Crate;
}

const crateAggregate = defineAggregate<Crate>({
  service: 'kit-test',
  name: 'crate',
  toResource: (c) => ({
    id: c.id,
    name: c.name,
    bottles: [...(c.bottles ?? [])]
      .sort((a, b) => a.slot - b.slot)
      .map((b) => ({ label: b.label, slot: b.slot })),
    deleted: c.deletedAt !== null,
    etag: etagOf(c),
  }),
});

const schema = `aggregate_${Date.now()}`;
let dataSource: DataSource;
let crates: AggregateStore<Crate>;
/** How many times the hydrate hook ran, and for how many roots in all. */
const hydrated = { calls: 0, roots: 0 };

async function loadBottles(manager: EntityManager, roots: Crate[]): Promise<void> {
  hydrated.calls += 1;
  hydrated.roots += roots.length;
  const bottles = await manager.find(Bottle, {
    where: { crateId: In(roots.map((c) => c.id)) },
  });
  for (const crate of roots) crate.bottles = bottles.filter((b) => b.crateId === crate.id);
}

beforeAll(async () => {
  dataSource = createDataSource({
    url: process.env.DATABASE_URL!,
    schema,
    entities: [Crate, Bottle],
    migrations: [],
    poolSize: 4,
    maxOverflow: 0,
    sqlEcho: false,
    applicationName: 'aggregate-store-test',
  });
  await dataSource.initialize();
  await dataSource.query(`CREATE SCHEMA "${schema}"`);
  await dataSource.synchronize(); // fixture tables for the generic code, not a service schema
  crates = new AggregateStore(
    dataSource,
    Crate,
    crateAggregate,
    new PageTokenCodec('x'.repeat(32)),
    { hydrate: loadBottles },
  );
});

afterAll(async () => {
  await dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
  await dataSource.destroy();
});

const eventsAbout = (id: string) =>
  dataSource.manager.find(OutboxEvent, { where: { messageKey: id }, order: { id: 'ASC' } });
const rowOf = (id: string) =>
  dataSource.manager.findOneOrFail(Crate, { where: { id }, withDeleted: true });

/** A crate with bottles `labels` in slots 1.., made through the store. */
async function newCrate(labels: string[] = []): Promise<Crate> {
  const { entity } = await inTransaction(dataSource, 'actor-1', (tx) =>
    crates.create(tx, { name: 'crate' }, undefined, {
      children: async (crate) => {
        for (const [index, label] of labels.entries()) {
          await tx.manager.insert(Bottle, { crateId: crate.id, label, slot: index + 1 });
        }
      },
    }),
  );
  return entity;
}

/** Adds a bottle in the next free slot: reads the children the store loaded under the lock. */
function addBottle(tx: Tx, id: string, label: string, etag?: string): Promise<Crate> {
  return crates.update(tx, id, {
    etag,
    apply: async (crate) => {
      const bottle = tx.manager.create(Bottle, {
        crateId: id,
        label,
        slot: (crate.bottles?.length ?? 0) + 1,
      });
      await tx.manager.insert(Bottle, bottle);
      crate.bottles = [...(crate.bottles ?? []), bottle];
    },
  });
}

/** The first word of every statement `work` sends through the data source's logger. */
async function statementsOf<T>(work: () => Promise<T>): Promise<{ result: T; sql: string[] }> {
  const sql: string[] = [];
  const spy = jest
    .spyOn(dataSource.logger, 'logQuery')
    .mockImplementation(
      (query: string) => void sql.push(query.trim().split(/\s+/)[0]?.toUpperCase() ?? ''),
    );
  try {
    return { result: await work(), sql };
  } finally {
    spy.mockRestore();
  }
}

describe('AggregateStore with child rows', () => {
  it('adds a child with a request id of its own once: a replay changes nothing, anyone else is refused', async () => {
    const crate = await newCrate();
    const key = (caller: string) => ({
      requestId: uuidv7(),
      caller,
      method: 'AddBottle',
      fingerprint: 'same request',
    });
    const mine = key('caller-1');
    const add = (k: typeof mine) =>
      inTransaction(dataSource, k.caller, (tx) =>
        crates.addChild(
          tx,
          crate.id,
          { type: 'nexus.kit-test.bottle', key: k },
          {
            apply: async (root, _applying, childId) => {
              const bottle = { crateId: root.id, label: childId, slot: 1 };
              await tx.manager.insert(Bottle, bottle);
              root.bottles = [...(root.bottles ?? []), tx.manager.create(Bottle, bottle)];
            },
          },
        ),
      );
    const first = await add(mine);
    expect(first.added).toBe(true);
    expect(await add(mine)).toEqual({ childId: first.childId, added: false });
    await expect(add({ ...mine, caller: 'caller-2' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      violations: [{ field: 'request_id', reason: 'REUSED' }],
    });
    expect((await crates.get(crate.id)).bottles?.map((b) => b.label)).toEqual([first.childId]);
    expect((await eventsAbout(crate.id)).map((e) => e.type)).toEqual([
      'nexus.kit-test.crate.created',
      'nexus.kit-test.crate.updated',
    ]);
  });

  it('creates the root and its children with one created event that shows them', async () => {
    const crate = await newCrate(['red', 'white']);
    expect(crate.version).toBe(1);
    expect(crate.bottles?.map((b) => b.label)).toEqual(['red', 'white']);
    const events = await eventsAbout(crate.id);
    expect(events.map((e) => e.type)).toEqual(['nexus.kit-test.crate.created']);
    expect(events[0]?.payload).toMatchObject({
      before: null,
      after: {
        bottles: [
          { label: 'red', slot: 1 },
          { label: 'white', slot: 2 },
        ],
        etag: '"1"',
      },
    });
  });

  it('replays a create with its request id without running the children again', async () => {
    const key = {
      requestId: uuidv7(),
      caller: 'caller-1',
      method: 'CreateCrate',
      fingerprint: requestFingerprint({ name: 'crate' }),
    };
    let childRuns = 0;
    const create = () =>
      inTransaction(dataSource, 'caller-1', (tx) =>
        crates.create(tx, { name: 'crate' }, key, {
          children: async (crate) => {
            childRuns += 1;
            await tx.manager.insert(Bottle, { crateId: crate.id, label: 'only', slot: 1 });
          },
        }),
      );
    const first = await create();
    const again = await create();
    expect(again.created).toBe(false);
    expect(again.entity.id).toBe(first.entity.id);
    expect(again.entity.bottles?.map((b) => b.label)).toEqual(['only']);
    expect(childRuns).toBe(1);
  });

  it('changes a child: the diff names it, one event, the version goes up once', async () => {
    const crate = await newCrate(['red']);
    const updated = await inTransaction(dataSource, 'actor-2', (tx) =>
      addBottle(tx, crate.id, 'rosé', '"1"'),
    );
    expect(updated.version).toBe(2);
    expect((await rowOf(crate.id)).version).toBe(2);
    expect(updated.updatedAt.getTime()).toBe((await rowOf(crate.id)).updatedAt.getTime());
    const events = await eventsAbout(crate.id);
    expect(events.map((e) => e.type)).toEqual([
      'nexus.kit-test.crate.created',
      'nexus.kit-test.crate.updated',
    ]);
    expect(events[1]?.payload).toEqual({
      before: {
        id: crate.id,
        name: 'crate',
        bottles: [{ label: 'red', slot: 1 }],
        deleted: false,
        etag: '"1"',
      },
      after: {
        id: crate.id,
        name: 'crate',
        bottles: [
          { label: 'red', slot: 1 },
          { label: 'rosé', slot: 2 },
        ],
        deleted: false,
        etag: '"2"',
      },
      changed: ['bottles'],
      actor: 'actor-2',
    });
  });

  it('bumps the version once when the root and a child change together', async () => {
    const crate = await newCrate(['red']);
    const updated = await inTransaction(dataSource, null, (tx) =>
      crates.update(tx, crate.id, {
        apply: async (c) => {
          c.name = 'renamed';
          await tx.manager.delete(Bottle, { crateId: crate.id, label: 'red' });
          c.bottles = [];
        },
      }),
    );
    expect(updated.version).toBe(2);
    expect(await rowOf(crate.id)).toMatchObject({ name: 'renamed', version: 2 });
    const [, event] = await eventsAbout(crate.id);
    expect(event?.payload).toMatchObject({ changed: ['bottles', 'name'] });
  });

  it('loads the children once per write, and sees child rows changed with SQL when asked to', async () => {
    const crate = await newCrate(['red']);
    hydrated.calls = 0;
    const { sql } = await statementsOf(() =>
      inTransaction(dataSource, null, (tx) =>
        crates.update(tx, crate.id, { apply: (c) => void (c.name = 'once') }),
      ),
    );
    expect(hydrated.calls).toBe(1);
    // The locked read, the children, the row's UPDATE, the outbox row.
    expect(sql).toEqual(['START', 'SELECT', 'SELECT', 'UPDATE', 'INSERT', 'COMMIT']);

    hydrated.calls = 0;
    const updated = await inTransaction(dataSource, null, (tx) =>
      crates.update(tx, crate.id, {
        apply: async (_c, applying) => {
          await tx.manager.update(Bottle, { crateId: crate.id, label: 'red' }, { slot: 7 });
          await applying.reloadChildren();
        },
      }),
    );
    expect(hydrated.calls).toBe(2);
    expect(updated.bottles?.map((b) => b.slot)).toEqual([7]);
    expect(updated.version).toBe(3);
  });

  it('aborts on a stale etag before applying: nothing written, no event', async () => {
    const crate = await newCrate(['red']);
    await inTransaction(dataSource, null, (tx) => addBottle(tx, crate.id, 'white'));
    let applied = false;
    const stale = inTransaction(dataSource, null, (tx) =>
      crates.update(tx, crate.id, {
        etag: '"1"',
        apply: async (c) => {
          applied = true;
          await tx.manager.insert(Bottle, { crateId: c.id, label: 'lost', slot: 9 });
        },
      }),
    );
    await expect(stale).rejects.toMatchObject({
      code: 'ETAG_MISMATCH',
      kind: 'aborted',
      metadata: { current_etag: '"2"' },
    });
    expect(applied).toBe(false);
    expect(await dataSource.manager.countBy(Bottle, { crateId: crate.id })).toBe(2);
    expect((await rowOf(crate.id)).version).toBe(2);
    expect(await eventsAbout(crate.id)).toHaveLength(2);
  });

  it('authorizes on the locked aggregate before it checks the etag', async () => {
    const crate = await newCrate(['red']);
    const refused = inTransaction(dataSource, null, (tx) =>
      crates.update(tx, crate.id, {
        etag: '"99"',
        authorize: (c) => {
          if (!c.bottles?.some((b) => b.label === 'white')) {
            throw new KitError('PERMISSION_DENIED', 'only crates with white wine');
          }
        },
        apply: (c) => void (c.name = 'never'),
      }),
    );
    await expect(refused).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('serialises concurrent writers: each sees the children the other committed', async () => {
    const crate = await newCrate();
    const writers = ['a', 'b', 'c', 'd'].map((label) =>
      inTransaction(dataSource, null, async (tx) => {
        const written = await addBottle(tx, crate.id, label);
        await new Promise((resolve) => setTimeout(resolve, 20)); // hold the lock a while
        return written;
      }),
    );
    await Promise.all(writers);
    const after = await crates.get(crate.id);
    expect(after.bottles?.map((b) => b.slot).sort()).toEqual([1, 2, 3, 4]);
    expect(after.version).toBe(5);
    const updates = (await eventsAbout(crate.id)).slice(1);
    expect(updates.map((e) => (e.payload as { before: { etag: string } }).before.etag)).toEqual([
      '"1"',
      '"2"',
      '"3"',
      '"4"',
    ]);
  });

  it('lets one of two writers holding the same etag win; the other is ABORTED', async () => {
    const crate = await newCrate();
    const results = await Promise.allSettled(
      ['left', 'right'].map((label) =>
        inTransaction(dataSource, null, (tx) => addBottle(tx, crate.id, label, '"1"')),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const [lost] = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as KitError] : []));
    expect(lost?.code).toBe('ETAG_MISMATCH');
    expect(await dataSource.manager.countBy(Bottle, { crateId: crate.id })).toBe(1);
    expect((await rowOf(crate.id)).version).toBe(2);
  });

  it('writes and emits nothing for a change that changes nothing', async () => {
    const crate = await newCrate(['red']);
    const { sql } = await statementsOf(() =>
      inTransaction(dataSource, null, (tx) =>
        crates.update(tx, crate.id, {
          apply: async (c, applying) => {
            c.name = 'crate';
            await tx.manager.delete(Bottle, { crateId: c.id, label: 'not there' });
            await applying.reloadChildren();
          },
        }),
      ),
    );
    expect(sql).not.toContain('UPDATE');
    expect(sql).not.toContain('INSERT');
    expect((await rowOf(crate.id)).version).toBe(1);
    expect(await eventsAbout(crate.id)).toHaveLength(1);
  });

  it('names the verb from the root before and after', async () => {
    const crate = await newCrate();
    await inTransaction(dataSource, null, (tx) =>
      crates.update(tx, crate.id, {
        verb: (before, after) => (before.name !== after.name ? 'renamed' : 'updated'),
        apply: (c) => void (c.name = 'new name'),
      }),
    );
    const types = (await eventsAbout(crate.id)).map((e) => e.type);
    expect(types.at(-1)).toBe('nexus.kit-test.crate.renamed');
  });

  it('adds eventExtra to the event value beside the standard fields, which it cannot replace', async () => {
    const crate = await newCrate();
    await inTransaction(dataSource, 'actor-2', (tx) =>
      crates.update(tx, crate.id, {
        force: true,
        verb: 'relabelled',
        eventExtra: { delivery: { sealed: 'abc' }, actor: 'forged', before: null },
        apply: () => undefined,
      }),
    );
    const last = (await eventsAbout(crate.id)).at(-1)!;
    expect(last.type).toBe('nexus.kit-test.crate.relabelled');
    expect(last.payload).toMatchObject({
      delivery: { sealed: 'abc' },
      actor: 'actor-2',
      before: { id: crate.id, name: 'crate' },
      after: { id: crate.id, name: 'crate' },
      changed: [],
    });
  });

  it('erases the root with its children; the deleted event shows them as they were', async () => {
    const crate = await newCrate(['red', 'white']);
    const order: string[] = [];
    await inTransaction(dataSource, null, (tx) =>
      crates.delete(tx, crate.id, {
        soft: false,
        etag: '"1"',
        authorize: () => void order.push('authorize'),
        apply: () => void order.push('apply'),
      }),
    );
    expect(order).toEqual(['authorize', 'apply']);
    expect(await crates.find(crate.id, { withDeleted: true })).toBeNull();
    expect(await dataSource.manager.countBy(Bottle, { crateId: crate.id })).toBe(0);
    const deleted = (await eventsAbout(crate.id)).at(-1);
    expect(deleted?.type).toBe('nexus.kit-test.crate.deleted');
    expect(deleted?.payload).toMatchObject({
      before: { bottles: [{ label: 'red' }, { label: 'white' }] },
      after: null,
    });
  });

  it('hydrates what it reads: get, a page, and the root alone when asked', async () => {
    const crate = await newCrate(['red']);
    expect((await crates.get(crate.id)).bottles?.map((b) => b.label)).toEqual(['red']);
    expect((await crates.get(crate.id, { hydrate: false })).bottles).toBeUndefined();
    hydrated.calls = 0;
    const page = await crates.list({
      filter: (qb) => qb.andWhere('e.id = :id', { id: crate.id }),
      filterValues: { id: crate.id },
      order: { key: 'create_time_desc', property: 'createdAt', direction: 'DESC' },
      pageSize: 10,
      pageToken: '',
    });
    expect(page.items[0]?.bottles?.map((b) => b.label)).toEqual(['red']);
    expect(hydrated.calls).toBe(1);
  });
});

describe('AggregateStore.createMany', () => {
  const key = (caller: string, requestId = uuidv7()) => ({
    requestId,
    caller,
    method: 'CreateCrates',
    fingerprint: 'same request',
  });

  it('creates every item in a fixed number of statements, with the events a create writes', async () => {
    const items = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ values: { name: `crate ${i}` }, key: key('c1') }));
    const count = async (n: number) =>
      (
        await statementsOf(() =>
          inTransaction(dataSource, 'actor-1', (tx) => crates.createMany(tx, items(n))),
        )
      ).sql.length;
    expect(await count(50)).toBe(await count(2));

    const single = await newCrate();
    const { result } = await statementsOf(() =>
      inTransaction(dataSource, 'actor-1', (tx) => crates.createMany(tx, items(3))),
    );
    expect(result.map((r) => r.created)).toEqual([true, true, true]);
    expect(result.map((r) => r.entity.name)).toEqual(['crate 0', 'crate 1', 'crate 2']);
    const [one] = await eventsAbout(single.id);
    for (const { entity } of result) {
      const [event] = await eventsAbout(entity.id);
      expect(event.type).toBe(one.type);
      expect(event.payload).toEqual({
        before: null,
        after: crateAggregate.toResource(await crates.get(entity.id)),
        changed: (one.payload as { changed: string[] }).changed,
        actor: 'actor-1',
      });
    }
  });

  it("replays the same caller's items, refuses another caller's use of a key, and writes nothing then", async () => {
    const mine = key('caller-1');
    const batch = (k: typeof mine) =>
      inTransaction(dataSource, k.caller, (tx) =>
        crates.createMany(tx, [
          { values: { name: 'first' }, key: k },
          { values: { name: 'second' } },
        ]),
      );
    const first = await batch(mine);
    const again = await batch(mine);
    expect(again[0]).toMatchObject({ created: false, entity: { id: first[0].entity.id } });
    expect(again[1].created).toBe(true);

    const outboxBefore = await dataSource.manager.count(OutboxEvent);
    const refused = await batch(key('caller-2', mine.requestId)).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(KitError);
    expect((refused as KitError).code).toBe('INVALID_ARGUMENT');
    expect(await dataSource.manager.count(OutboxEvent)).toBe(outboxBefore);
  });
});

describe('event observers', () => {
  /** What the observer saw, and whether it wrote into the transaction it was given. */
  const seen: { verb: string; subject: string; changed: string[]; actor: string | null }[] = [];
  const observed = defineAggregate<Crate>({
    ...crateAggregate,
    observe: async (tx, event) => {
      // Inside the change's transaction: its row is visible here (and its lock held).
      await tx.manager.findOneByOrFail(Crate, { id: event.subject });
      if (event.after?.name === 'refused by the observer') throw new Error('observer refused');
      seen.push({
        verb: event.verb,
        subject: event.subject,
        changed: event.changed,
        actor: event.actor,
      });
    },
  });
  const observedCrates = () =>
    new AggregateStore(dataSource, Crate, observed, new PageTokenCodec('x'.repeat(32)), {
      hydrate: loadBottles,
    });

  it('tells the observer of every event the store and Tx write, with what the outbox row says', async () => {
    const store = observedCrates();
    seen.length = 0;
    const { entity } = await inTransaction(dataSource, 'actor-9', (tx) =>
      store.create(tx, { name: 'watched' }),
    );
    await inTransaction(dataSource, 'actor-9', (tx) =>
      store.update(tx, entity.id, {
        apply: (crate) => {
          crate.name = 'renamed';
        },
      }),
    );
    await inTransaction(dataSource, 'actor-9', (tx) =>
      store.update(tx, entity.id, { apply: () => undefined }),
    );
    await inTransaction(dataSource, null, (tx) =>
      tx.emitMany(observed, 'updated', [
        { subject: entity.id, before: { name: 'a' }, after: { name: 'b' } },
        { subject: entity.id, before: { id: 'x' }, after: { id: 'y' } },
      ]),
    );
    expect(seen).toEqual([
      {
        verb: 'created',
        subject: entity.id,
        changed: ['bottles', 'deleted', 'id', 'name'],
        actor: 'actor-9',
      },
      { verb: 'updated', subject: entity.id, changed: ['name'], actor: 'actor-9' },
      { verb: 'updated', subject: entity.id, changed: ['name'], actor: null },
      { verb: 'updated', subject: entity.id, changed: ['id'], actor: null },
    ]);
    expect(await eventsAbout(entity.id)).toHaveLength(4);
  });

  it('rolls the change and its event back when the observer fails', async () => {
    const store = observedCrates();
    const { entity } = await inTransaction(dataSource, null, (tx) =>
      store.create(tx, { name: 'kept' }),
    );
    const failed = await inTransaction(dataSource, null, (tx) =>
      store.update(tx, entity.id, {
        apply: (crate) => {
          crate.name = 'refused by the observer';
        },
      }),
    ).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(Error);
    expect((await rowOf(entity.id)).name).toBe('kept');
    expect(await eventsAbout(entity.id)).toHaveLength(1);
  });
});
