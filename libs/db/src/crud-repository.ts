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
import { changedFields, type Aggregate } from './aggregate';
import { etagOf, type BaseEntity } from './base.entity';
import { ByIdReader } from './by-id-reader';
import { saveLoaded } from './loaded-save';
import type { Page } from './pagination';
import { type PageTokenCodec } from './page-token';
import { claimRequestId } from './request-claim';
import { ROW_WRITE_LOCK, type ChangeVerb, type Tx } from './transaction';

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
}

/**
 * The generic CRUD every service builds on: the original design's `crud`
 * (create, get, list with filters, update, soft/hard delete, exists, count)
 * plus what a public API needs: idempotent create, keyset pages with signed
 * tokens, etag checks, and one outbox event for every change it commits.
 */
export class CrudRepository<E extends BaseEntity> {
  readonly alias = 'e';
  private readonly metadata: EntityMetadata;
  /** Reads by id (every Get, every write's row lock) with prepared statements. */
  private readonly byId: ByIdReader<E>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly target: EntityTarget<E>,
    private readonly aggregate: Aggregate<E>,
    private readonly pageTokens: PageTokenCodec,
    /** The resource name used in NOT_FOUND messages, e.g. `user`. */
    private readonly resourceName: string = aggregate.name,
  ) {
    this.metadata = dataSource.getMetadata(target);
    this.byId = new ByIdReader(dataSource, target);
  }

  /**
   * Inserts a new aggregate and its `created` event. With an idempotency key,
   * the same caller's replay of the same request returns the entity the first
   * call created (`created: false`); anyone else using the key is refused.
   * `values` may be a function: it then runs only when this call creates, so
   * the work it does (numbering, counters) is not done again by a replay.
   */
  async create(
    tx: Tx,
    values: DeepPartial<E> | (() => Promise<DeepPartial<E>>),
    key?: IdempotencyKey,
  ): Promise<{ entity: E; created: boolean }> {
    const id = uuidv7();
    const earlier = await claimRequestId(tx, key, this.aggregate.topic, id);
    if (earlier !== null) {
      return {
        entity: await this.get(earlier, { manager: tx.manager, withDeleted: true }),
        created: false,
      };
    }
    const fields = typeof values === 'function' ? await values() : values;
    const entity = tx.manager.create(this.target, { ...fields, id } as DeepPartial<E>);
    await tx.manager.insert(this.target, entity as Parameters<EntityManager['insert']>[1]);
    await tx.emit(this.aggregate, 'created', null, entity);
    return { entity, created: true };
  }

  async find(id: string, options: ReadOptions = {}): Promise<E | null> {
    return this.byId.findById(id, {
      manager: options.manager ?? this.dataSource.manager,
      withDeleted: options.withDeleted ?? false,
    });
  }

  /** The entity, or NOT_FOUND. */
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
    return ids.map((id) => {
      const entity = byId.get(id);
      if (!entity) throw KitError.notFound(this.resourceName, id);
      return entity;
    });
  }

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
   * Locks the row, checks the etag, applies the change and records one event.
   * A change that alters nothing writes nothing and emits nothing.
   */
  async update(
    tx: Tx,
    id: string,
    change: {
      etag?: string;
      apply: (entity: E) => void | Promise<void>;
      verb?: ChangeVerb;
      withDeleted?: boolean;
      /** Write and emit even though no resource field changed (a secret did). */
      force?: boolean;
    },
  ): Promise<E> {
    const { entity, copy } = await this.lock(tx, id, change.withDeleted ?? false);
    checkEtag(entity, change.etag);
    const before = this.aggregate.toResource(entity);
    await change.apply(entity);
    const changed = changedFields(before, this.aggregate.toResource(entity)).length > 0;
    if (!changed && !change.force) return entity;
    await saveLoaded(tx.manager, entity, copy);
    await tx.emitResources(
      this.aggregate,
      change.verb ?? 'updated',
      id,
      before,
      this.aggregate.toResource(entity),
    );
    return entity;
  }

  /** Moves to the trash (soft) or erases the row (hard); returns what was there. */
  async delete(tx: Tx, id: string, options: { soft: boolean; etag?: string }): Promise<E> {
    if (options.soft) {
      const column = this.requireDeleteDateColumn();
      return this.update(tx, id, {
        etag: options.etag,
        verb: 'deleted',
        apply: (entity) => {
          (entity as Record<string, unknown>)[column] = new Date();
        },
      });
    }
    const { entity } = await this.lock(tx, id, true);
    checkEtag(entity, options.etag);
    await tx.manager.delete(this.target, { id });
    await tx.emit(this.aggregate, 'deleted', entity, null);
    return entity;
  }

  /** Takes a soft-deleted entity out of the trash. */
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

  /** The row, locked for this transaction, with an untouched copy of it for the save. */
  private async lock(tx: Tx, id: string, withDeleted: boolean): Promise<{ entity: E; copy?: E }> {
    const locked = await this.byId.findWithCopy(id, {
      manager: tx.manager,
      lock: ROW_WRITE_LOCK,
      withDeleted,
    });
    if (!locked) throw KitError.notFound(this.resourceName, id);
    return locked;
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

function checkEtag(entity: BaseEntity, etag: string | undefined): void {
  if (etag && etag !== etagOf(entity)) {
    throw new KitError(
      'ETAG_MISMATCH',
      `etag ${etag} does not match the current version; read the resource again and retry`,
      [],
      { current_etag: etagOf(entity) },
    );
  }
}

function cursorValue(value: unknown): string | number {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'string') return value;
  throw new Error(`cannot page on a ${typeof value} sort value`);
}
