import {
  In,
  type DataSource,
  type DeepPartial,
  type EntityManager,
  type EntityMetadata,
  type EntityTarget,
  type FindOptionsWhere,
  type SelectQueryBuilder,
} from 'typeorm';
import { KitError, uuidv7, type IdempotencyKey } from '@nexus/core';
import { changedFields, type Aggregate, type JsonObject } from './aggregate';
import type { BaseEntity } from './base.entity';
import { ByIdReader } from './by-id-reader';
import { checkEtag } from './etag';
import { saveLoaded } from './loaded-save';
import { insertRoot } from './prepared-insert';
import type { Page } from './pagination';
import { type PageTokenCodec } from './page-token';
import { claimRequestId, claimRequestIds } from './request-claim';
import { searchPage, type SearchPage, type SearchRequest } from './search-page';
import { ROW_WRITE_LOCK, type ChangeVerb, type Tx } from './transaction';

/**
 * Loads what an aggregate's resource shows besides its row: child rows (the
 * members of a room, the shares of a document, the blockers of a task) and
 * figures computed from other tables. Called once for a batch of roots.
 */
export type Hydrate<E> = (manager: EntityManager, entities: E[]) => Promise<void>;

export interface AggregateStoreOptions<E> {
  /** Absent for a table without children: the aggregate is its row. */
  hydrate?: Hydrate<E>;
  /** The resource name used in NOT_FOUND and ETAG_MISMATCH messages, e.g. `chat room`. */
  resourceName?: string;
}

/** A sort order the API offers; the column must be NOT NULL and indexed with id. */
export interface SortOrder<E> {
  /** Stable name the page token is bound to, e.g. `create_time_desc`. */
  key: string;
  property: keyof E & string;
  direction: 'ASC' | 'DESC';
}

export interface ListQuery<E extends BaseEntity> {
  /** Adds the caller's typed filters as parameterised conditions on alias `e`. */
  filter?: (qb: SelectQueryBuilder<E>) => void;
  /** The filter values, to bind page tokens to this exact query. */
  filterValues: unknown;
  order: SortOrder<E>;
  pageSize: number;
  pageToken: string;
  includeTotal?: boolean;
  showDeleted?: boolean;
}

export interface ReadOptions {
  withDeleted?: boolean;
  manager?: EntityManager;
  /** false reads the root row alone, without its children (a check that needs only columns). */
  hydrate?: boolean;
}

/** What `apply` may ask of the store while it changes the locked aggregate. */
export interface Applying {
  /**
   * Loads the children again. The store loads them once, with the lock; an
   * `apply` that changes child rows with SQL (rather than on the loaded
   * entity) calls this afterwards, so the diff and the event see the change.
   */
  reloadChildren(): Promise<void>;
}

/** A change of one aggregate: the service's rules, in the order the store runs them. */
export interface AggregateChange<E> {
  /** Empty or absent: no check. */
  etag?: string;
  withDeleted?: boolean;
  /**
   * Refusals that need the locked aggregate (the caller's rights, from its
   * children too). Runs before the etag check, so a caller without rights
   * learns nothing about versions.
   */
  authorize?: (entity: E) => void | Promise<void>;
  /** Changes the entity's fields and/or its child rows (through the transaction's manager). */
  apply: (entity: E, applying: Applying) => void | Promise<void>;
  /** The event verb (default `updated`), or a function of the root before and after the change. */
  verb?: ChangeVerb | ((before: E, after: E) => ChangeVerb);
  /** Write and emit even though no resource field changed (a secret did). */
  force?: boolean;
  /**
   * Fields added to the event value beside before/after/changed/actor, for a
   * consumer that needs more than the resource (Tx.emitResources' `extra`).
   * Never a secret in clear: anything sensitive is sealed for its reader.
   * A function gets the changed entity, still locked (what the extra says of
   * it is what was committed).
   */
  eventExtra?: JsonObject | ((entity: E) => JsonObject);
}

/** Moving an aggregate to the trash (soft) or erasing it (hard). */
export interface AggregateRemoval<E> {
  soft: boolean;
  etag?: string;
  /** As for a change: before the etag check. */
  authorize?: (entity: E) => void | Promise<void>;
  /**
   * After the etag check, before the row goes: the last refusals and what
   * erasing it changes elsewhere (each such write an aggregate change of its own).
   */
  apply?: (entity: E) => void | Promise<void>;
}

/**
 * The one write path of an aggregate: its root row and the child rows its
 * resource shows. Every change goes through `update`: lock the root row
 * (FOR NO KEY UPDATE, read with the prepared by-id statement, with an
 * untouched copy for the save), load the children once, authorize, check the
 * etag, snapshot the resource, apply, diff. Nothing changed: nothing written,
 * no event. Otherwise the row is saved against the copy, the version goes up
 * by exactly one (also when only children changed: a child change is a change
 * of the root, and the etag must move), and one event carries the resource
 * before and after. `create` claims the request id, inserts the root and its
 * children and emits `created`; reads hydrate what they return.
 *
 * A table without children is the simplest case (no `hydrate`):
 * CrudRepository is this store.
 */
export class AggregateStore<E extends BaseEntity> {
  readonly alias = 'e';
  readonly resourceName: string;
  private readonly metadata: EntityMetadata;
  /** Reads by id (every Get, every write's row lock) with prepared statements. */
  private readonly byId: ByIdReader<E>;
  private readonly hydrateHook: Hydrate<E> | undefined;

  constructor(
    readonly dataSource: DataSource,
    private readonly target: EntityTarget<E>,
    readonly aggregate: Aggregate<E>,
    private readonly pageTokens: PageTokenCodec,
    options: AggregateStoreOptions<E> = {},
  ) {
    this.metadata = dataSource.getMetadata(target);
    this.byId = new ByIdReader(dataSource, target);
    this.hydrateHook = options.hydrate;
    this.resourceName = options.resourceName ?? aggregate.name;
  }

  /** Loads the children of `entities` (one batch; nothing for a table without children). */
  async hydrate(entities: E[], manager: EntityManager = this.dataSource.manager): Promise<void> {
    if (this.hydrateHook && entities.length > 0) await this.hydrateHook(manager, entities);
  }

  /**
   * Inserts a new aggregate and its `created` event. With an idempotency key,
   * the same caller's replay of the same request returns the aggregate the
   * first call created (`created: false`); anyone else using the key is
   * refused. `values` may be a function: it then runs only when this call
   * creates, so the work it does (numbering, counters) is not done again by a
   * replay; so does `children`, which inserts the new root's child rows
   * before they are loaded for the event. A replay answers the aggregate as
   * it is now, so it passes `authorizeReplay` first: the caller's right to
   * read it today (a room they were removed from, a project they left).
   */
  async create(
    tx: Tx,
    values: DeepPartial<E> | (() => Promise<DeepPartial<E>>),
    key?: IdempotencyKey,
    options: {
      children?: (entity: E) => Promise<void>;
      authorizeReplay?: (entity: E) => void | Promise<void>;
    } = {},
  ): Promise<{ entity: E; created: boolean }> {
    const id = uuidv7();
    const earlier = await claimRequestId(tx, key, this.aggregate.topic, id);
    if (earlier !== null) {
      const entity = await this.get(earlier, { manager: tx.manager, withDeleted: true });
      await options.authorizeReplay?.(entity);
      return { entity, created: false };
    }
    const fields = typeof values === 'function' ? await values() : values;
    const entity = tx.manager.create(this.target, { ...fields, id } as DeepPartial<E>);
    await insertRoot(tx.manager, this.metadata, entity);
    if (options.children) await options.children(entity);
    await this.hydrate([entity], tx.manager);
    await tx.emit(this.aggregate, 'created', null, entity);
    return { entity, created: true };
  }

  /**
   * `create` for many aggregates in one transaction (a batch), in a fixed
   * number of statements however many there are: the request ids claimed
   * together (claimRequestIds), the new roots inserted together (by
   * `insertRoots`, a service's multi-row INSERT, or TypeORM's), hydrated in
   * one batch, and their `created` events written with one outbox INSERT.
   * Results are in the order of `items`; a replayed item answers what its
   * first call created (`created: false`), read after the inserts (a batch
   * may repeat one of its own request ids) and passed to `authorizeReplay`.
   */
  async createMany(
    tx: Tx,
    items: readonly { values: DeepPartial<E>; key?: IdempotencyKey }[],
    options: {
      insertRoots?: (manager: EntityManager, entities: E[]) => Promise<void>;
      authorizeReplay?: (entity: E) => void | Promise<void>;
    } = {},
  ): Promise<{ entity: E; created: boolean }[]> {
    const ids = items.map(() => uuidv7());
    const earlier = await claimRequestIds(
      tx,
      items.map((item, index) => ({ key: item.key, id: ids[index] })),
      this.aggregate.topic,
    );
    const fresh = items.flatMap((item, index) =>
      earlier.has(index)
        ? []
        : [tx.manager.create(this.target, { ...item.values, id: ids[index] } as DeepPartial<E>)],
    );
    if (fresh.length > 0) {
      if (options.insertRoots) await options.insertRoots(tx.manager, fresh);
      else await tx.manager.insert(this.target, fresh as Parameters<EntityManager['insert']>[1]);
      await this.hydrate(fresh, tx.manager);
      await tx.emitMany(
        this.aggregate,
        'created',
        fresh.map((entity) => ({
          subject: entity.id,
          before: null,
          after: this.aggregate.toResource(entity),
        })),
      );
    }
    const replayed = new Map<string, E>();
    if (earlier.size > 0) {
      const entities = await this.getMany([...new Set(earlier.values())], {
        manager: tx.manager,
        withDeleted: true,
      });
      for (const entity of entities) {
        await options.authorizeReplay?.(entity);
        replayed.set(entity.id, entity);
      }
    }
    const created = new Map(fresh.map((entity) => [entity.id, entity]));
    return items.map((_, index) => {
      const first = earlier.get(index);
      if (first !== undefined) return { entity: replayed.get(first) as E, created: false };
      return { entity: created.get(ids[index]) as E, created: true };
    });
  }

  async find(id: string, options: ReadOptions = {}): Promise<E | null> {
    const manager = options.manager ?? this.dataSource.manager;
    const entity = await this.byId.findById(id, {
      manager,
      withDeleted: options.withDeleted ?? false,
    });
    if (entity && options.hydrate !== false) await this.hydrate([entity], manager);
    return entity;
  }

  /** The aggregate, or NOT_FOUND. */
  async get(id: string, options: ReadOptions = {}): Promise<E> {
    const entity = await this.find(id, options);
    if (!entity) throw KitError.notFound(this.resourceName, id);
    return entity;
  }

  /** All of `ids` in their order, or NOT_FOUND naming the first missing one. */
  async getMany(ids: readonly string[], options: ReadOptions = {}): Promise<E[]> {
    const manager = options.manager ?? this.dataSource.manager;
    const found = await manager.find(this.target, {
      where: { id: In([...ids]) } as FindOptionsWhere<E>,
      withDeleted: options.withDeleted ?? false,
    });
    const byId = new Map(found.map((entity) => [entity.id, entity]));
    const entities = ids.map((id) => {
      const entity = byId.get(id);
      if (!entity) throw KitError.notFound(this.resourceName, id);
      return entity;
    });
    if (options.hydrate !== false) await this.hydrate(found, manager);
    return entities;
  }

  /** One keyset page, its aggregates hydrated in one batch. */
  async list(
    query: ListQuery<E>,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Page<E>> {
    const { alias } = this;
    const qb = manager.createQueryBuilder(this.target, alias);
    if (query.showDeleted) qb.withDeleted();
    query.filter?.(qb);
    const totalSize = query.includeTotal ? await qb.clone().getCount() : undefined;

    const column = `"${alias}"."${this.columnName(query.order.property)}"`;
    if (query.pageToken) {
      const cursor = this.pageTokens.decode(query.pageToken, query.order.key, query.filterValues);
      const op = query.order.direction === 'ASC' ? '>' : '<';
      qb.andWhere(`(${column}, "${alias}"."id") ${op} (:cursorValue, :cursorId)`, {
        cursorValue: cursor.value,
        cursorId: cursor.id,
      });
    }
    const rows = await qb
      .orderBy(column, query.order.direction)
      .addOrderBy(`"${alias}"."id"`, query.order.direction)
      .limit(query.pageSize + 1)
      .getMany();

    const items = rows.slice(0, query.pageSize);
    await this.hydrate(items, manager);
    const last = items[items.length - 1];
    const nextPageToken =
      rows.length > query.pageSize && last
        ? this.pageTokens.encode(query.order.key, query.filterValues, {
            value: cursorValue(last[query.order.property]),
            id: last.id,
          })
        : '';
    return { items, nextPageToken, totalSize };
  }

  /**
   * One page of a full-text search over the table's `search_vector`
   * (search-schema.ts), ranked, with snippets, keyset-paged like `list`.
   */
  async search(
    request: SearchRequest<E>,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<SearchPage<E>> {
    return searchPage(
      {
        manager,
        select: (on) => on.createQueryBuilder(this.target, this.alias),
        column: (property) => `"${this.alias}"."${this.columnName(property)}"`,
        schema: this.metadata.schema ?? 'public',
        table: this.metadata.tableName,
        pageTokens: this.pageTokens,
        hydrate: (items, on) => this.hydrate(items, on),
      },
      request,
    );
  }

  /**
   * Locks the aggregate, authorizes, checks the etag, applies the change and
   * records one event. A change that alters nothing writes nothing and emits
   * nothing. Of two writers holding the same etag the second waits for the
   * lock, then sees the new version and gets ABORTED.
   */
  async update(tx: Tx, id: string, change: AggregateChange<E>): Promise<E> {
    const { entity, copy } = await this.lock(tx, id, change.withDeleted ?? false);
    await change.authorize?.(entity);
    checkEtag(entity, change.etag, this.resourceName);
    const before = this.aggregate.toResource(entity);
    const rootBefore = typeof change.verb === 'function' ? shallowCopy(entity) : undefined;
    const version = entity.version;
    await change.apply(entity, { reloadChildren: () => this.hydrate([entity], tx.manager) });
    const changed = changedFields(before, this.aggregate.toResource(entity)).length > 0;
    if (!changed && !change.force) return entity;
    await saveLoaded(tx.manager, entity, copy);
    if (changed && entity.version === version) await this.bumpVersion(tx.manager, entity);
    const verb =
      typeof change.verb === 'function' ? change.verb(rootBefore ?? entity, entity) : change.verb;
    await tx.emitResources(
      this.aggregate,
      verb ?? 'updated',
      id,
      before,
      this.aggregate.toResource(entity),
      typeof change.eventExtra === 'function' ? change.eventExtra(entity) : change.eventExtra,
    );
    return entity;
  }

  /**
   * Creates a child of the aggregate (a time entry of a task) that has an id
   * and a request id of its own: one change of the root, as `update`, whose
   * `apply` gets the new child's id. With an idempotency key (bound to
   * `childType`), the same caller's replay of the same request changes
   * nothing and returns the id of the child the first call created.
   */
  async addChild(
    tx: Tx,
    rootId: string,
    child: { type: string; key?: IdempotencyKey },
    change: Omit<AggregateChange<E>, 'apply'> & {
      apply: (entity: E, applying: Applying, childId: string) => void | Promise<void>;
    },
  ): Promise<{ childId: string; added: boolean }> {
    const childId = uuidv7();
    const earlier = await claimRequestId(tx, child.key, child.type, childId);
    if (earlier !== null) return { childId: earlier, added: false };
    await this.update(tx, rootId, {
      ...change,
      apply: (entity, applying) => change.apply(entity, applying, childId),
    });
    return { childId, added: true };
  }

  /**
   * Moves to the trash (soft: an update with verb `deleted`) or erases the
   * row, its children going by their foreign keys (hard); returns the
   * aggregate as it was, which is also the `before` of the `deleted` event.
   */
  async delete(tx: Tx, id: string, removal: AggregateRemoval<E>): Promise<E> {
    if (removal.soft) {
      const column = this.requireDeleteDateColumn();
      return this.update(tx, id, {
        etag: removal.etag,
        verb: 'deleted',
        authorize: removal.authorize,
        apply: async (entity) => {
          await removal.apply?.(entity);
          (entity as Record<string, unknown>)[column] = new Date();
        },
      });
    }
    const { entity } = await this.lock(tx, id, true);
    await removal.authorize?.(entity);
    checkEtag(entity, removal.etag, this.resourceName);
    await removal.apply?.(entity);
    await tx.manager.delete(this.target, { id });
    await tx.emit(this.aggregate, 'deleted', entity, null);
    return entity;
  }

  /** Takes a soft-deleted aggregate out of the trash. */
  async undelete(tx: Tx, id: string): Promise<E> {
    const column = this.requireDeleteDateColumn();
    return this.update(tx, id, {
      verb: 'restored',
      withDeleted: true,
      apply: (entity) => {
        const fields = entity as Record<string, unknown>;
        if (fields[column] === null) {
          throw new KitError('NOT_DELETED', `${this.resourceName} ${id} is not deleted`);
        }
        fields[column] = null;
      },
    });
  }

  async exists(where: FindOptionsWhere<E>, options: ReadOptions = {}): Promise<boolean> {
    const manager = options.manager ?? this.dataSource.manager;
    return manager.exists(this.target, { where, withDeleted: options.withDeleted ?? false });
  }

  async count(where: FindOptionsWhere<E> = {}, options: ReadOptions = {}): Promise<number> {
    const manager = options.manager ?? this.dataSource.manager;
    return manager.count(this.target, { where, withDeleted: options.withDeleted ?? false });
  }

  /**
   * The root row, locked for this transaction, with an untouched copy of it
   * for the save, and its children loaded (once: under the lock no other
   * writer can change them).
   */
  private async lock(tx: Tx, id: string, withDeleted: boolean): Promise<{ entity: E; copy?: E }> {
    const locked = await this.byId.findWithCopy(id, {
      manager: tx.manager,
      lock: ROW_WRITE_LOCK,
      withDeleted,
    });
    if (!locked) throw KitError.notFound(this.resourceName, id);
    await this.hydrate([locked.entity], tx.manager);
    return locked;
  }

  /**
   * A new version of a root whose row did not change (only its children
   * did): version + 1 and the update time, read back into the entity.
   */
  private async bumpVersion(manager: EntityManager, entity: E): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(this.target)
      .set({})
      .whereEntity(entity)
      .updateEntity(true)
      .execute();
  }

  private columnName(property: string): string {
    const column = this.metadata.findColumnWithPropertyPath(property);
    if (!column) throw new Error(`${this.metadata.name} has no column for ${property}`);
    return column.databaseName;
  }

  private requireDeleteDateColumn(): string {
    const column = this.metadata.deleteDateColumn;
    if (!column) throw new Error(`${this.metadata.name} is not soft-deletable`);
    return column.propertyName;
  }
}

/** The root's fields as they were (children and other objects shared, not copied). */
function shallowCopy<E extends object>(entity: E): E {
  return Object.assign(Object.create(Object.getPrototypeOf(entity) as object) as E, entity);
}

function cursorValue(value: unknown): string | number {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'string') return value;
  throw new Error(`cannot page on a ${typeof value} sort value`);
}
