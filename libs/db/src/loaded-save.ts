import type { EntityManager, EntityMetadata, ObjectLiteral } from 'typeorm';
import { Subject } from 'typeorm/persistence/Subject';
import { SubjectExecutor } from 'typeorm/persistence/SubjectExecutor';

/**
 * `manager.save(entity)` for an entity whose row this transaction has just
 * read (and locked), given an untouched copy of that read. save() would load
 * the row again to find what changed; the copy is that row, so the change is
 * diffed against it and written by TypeORM's own executor (the same UPDATE,
 * version and update-date handling, listeners and subscribers), one query and
 * one round trip fewer. Without a copy, outside a transaction, or for an
 * entity whose save would cascade or write another table (a relation set on
 * it, inheritance, trees), it is save(). A relation left unloaded (undefined)
 * is one save() ignores too: an aggregate root with foreign keys to other
 * roots (a task's project and parent) takes the fast path. Properties that
 * are not columns (the children an aggregate store hydrates) are never written.
 */
export async function saveLoaded<E extends ObjectLiteral>(
  manager: EntityManager,
  entity: E,
  loaded: E | undefined,
): Promise<void> {
  const runner = manager.queryRunner;
  const metadata = manager.dataSource
    .getMetadata(entity.constructor)
    .findInheritanceMetadata(entity);
  if (
    !loaded ||
    !runner ||
    runner.isReleased ||
    !runner.isTransactionActive ||
    !alone(metadata, entity)
  ) {
    await manager.save(entity);
    return;
  }
  const subject = new Subject({ metadata, entity, canBeInserted: true, canBeUpdated: true });
  subject.databaseEntity = loaded;
  subject.databaseEntityLoaded = true;
  const executor = new SubjectExecutor(runner, [subject]);
  if (executor.hasExecutableOperations) await executor.execute();
}

/** An entity whose save touches its own row only. */
function alone(metadata: EntityMetadata, entity: ObjectLiteral): boolean {
  return (
    // save() skips an undefined relation: no cascade, no join column taken from it.
    metadata.relations.every((relation) => relation.getEntityValue(entity) === undefined) &&
    metadata.childEntityMetadatas.length === 0 &&
    !metadata.parentEntityMetadata &&
    !metadata.inheritancePattern &&
    !metadata.treeType
  );
}
