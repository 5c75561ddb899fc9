import type { EntityManager, EntityTarget, FindOptionsWhere } from 'typeorm';
import { KitError } from '@nexus/core';
import {
  ROW_WRITE_LOCK,
  changedFields,
  etagOf,
  type Aggregate,
  type BaseEntity,
  type ChangeVerb,
  type Tx,
} from '@nexus/db';

/** Loads what an aggregate's resource shows besides its row (child tables, computed figures). */
export type Hydrate<E> = (manager: EntityManager, entities: E[]) => Promise<void>;

export interface LockedChange<E> {
  etag?: string;
  withDeleted?: boolean;
  /** Changes the entity's fields and/or its child rows (through tx.manager). */
  apply: (entity: E) => void | Promise<void>;
  /** The event verb, from the resource before and after (default `updated`). */
  verb?: ChangeVerb | ((before: E, after: E) => ChangeVerb);
}

/**
 * The write path of an aggregate whose resource includes child rows, which
 * CrudRepository.update cannot see: lock the root row, load the children,
 * snapshot, apply, load the children again, and when the resource changed
 * bump the row's version (the etag: a child change is a change of the root)
 * and record exactly one event. A change that alters nothing writes nothing.
 */
export class LockedWriter<E extends BaseEntity> {
  constructor(
    private readonly target: EntityTarget<E>,
    readonly aggregate: Aggregate<E>,
    private readonly hydrate: Hydrate<E>,
    private readonly resourceName: string,
  ) {}

  async lock(tx: Tx, id: string, withDeleted = false): Promise<E> {
    const entity = await tx.manager.findOne(this.target, {
      where: { id } as FindOptionsWhere<E>,
      lock: ROW_WRITE_LOCK,
      withDeleted,
    });
    if (!entity) throw KitError.notFound(this.resourceName, id);
    await this.hydrate(tx.manager, [entity]);
    return entity;
  }

  async write(tx: Tx, id: string, change: LockedChange<E>): Promise<E> {
    const entity = await this.lock(tx, id, change.withDeleted ?? false);
    checkEtag(entity, change.etag);
    const beforeEntity = Object.assign(
      Object.create(Object.getPrototypeOf(entity) as object),
      entity,
    ) as E;
    const before = this.aggregate.toResource(entity);
    await change.apply(entity);
    await this.hydrate(tx.manager, [entity]);
    if (changedFields(before, this.aggregate.toResource(entity)).length === 0) return entity;

    const metadata = tx.manager.connection.getMetadata(this.target);
    const values: Record<string, unknown> = {};
    for (const column of metadata.columns) {
      if (column.isPrimary || column.isCreateDate || column.isUpdateDate || column.isVersion)
        continue;
      if (!column.isUpdate) continue;
      values[column.propertyName] = column.getEntityValue(entity);
    }
    // QueryBuilder updates bump the version column and updated_at themselves.
    await tx.manager
      .createQueryBuilder()
      .update(this.target)
      .set(values as never)
      .where('id = :id', { id })
      .execute();
    const saved = await tx.manager.findOneOrFail(this.target, {
      where: { id } as FindOptionsWhere<E>,
      withDeleted: true,
    });
    await this.hydrate(tx.manager, [saved]);
    const verb = typeof change.verb === 'function' ? change.verb(beforeEntity, saved) : change.verb;
    await tx.emitResources(
      this.aggregate,
      verb ?? 'updated',
      id,
      before,
      this.aggregate.toResource(saved),
    );
    return saved;
  }
}

/** A stale etag is ABORTED (as CrudRepository does); an empty one skips the check. */
export function checkEtag(entity: BaseEntity, etag: string | undefined): void {
  if (etag && etag !== etagOf(entity)) {
    throw new KitError(
      'ETAG_MISMATCH',
      `etag ${etag} does not match the current version; read the resource again and retry`,
      [],
      { current_etag: etagOf(entity) },
    );
  }
}
