import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { EntityManager, EntityMetadata, ObjectLiteral } from 'typeorm';
import { Subject } from 'typeorm/persistence/Subject';
import { SubjectChangedColumnsComputer } from 'typeorm/persistence/SubjectChangedColumnsComputer';
import { SubjectExecutor } from 'typeorm/persistence/SubjectExecutor';
import {
  canPrepare,
  escapedTable,
  preparedStatement,
  runPrepared,
  type PreparedStatement,
} from './prepared-query';

/**
 * `manager.save(entity)` for an entity whose row this transaction has just
 * read (and locked), given an untouched copy of that read. save() would load
 * the row again to find what changed; the copy is that row, so the change is
 * diffed against it (by TypeORM's own comparison of column values) and the
 * changed columns are written with one UPDATE that also moves the version
 * and the update time, returning both. That UPDATE is a named prepared
 * statement, one per set of changed columns, so neither TypeORM nor the
 * server builds it again on every write. Where TypeORM would do more than
 * that one statement (update listeners, subscribers, a changed relation),
 * its own executor writes the diff. Without a copy, outside a transaction,
 * or for an entity whose save would cascade or write another table (a
 * relation set on it, inheritance, trees), it is save(). A relation left
 * unloaded (undefined) is one save() ignores too: an aggregate root with
 * foreign keys to other roots (a task's project and parent) takes the fast
 * path. Properties that are not columns (the children an aggregate store
 * hydrates) are never written.
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
  new SubjectChangedColumnsComputer().compute([subject]);
  if (subject.changeMaps.length === 0) return;
  const columns = subject.changeMaps.map((change) => change.column);
  if (preparable(manager, metadata) && columns.every(plainColumn)) {
    await updatePrepared(manager, metadata, entity, columns as ColumnMetadata[]);
    return;
  }
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

/** Where the executor would run exactly the UPDATE updatePrepared sends. */
function preparable(manager: EntityManager, metadata: EntityMetadata): boolean {
  return (
    canPrepare(manager.dataSource) &&
    metadata.beforeUpdateListeners.length === 0 &&
    metadata.afterUpdateListeners.length === 0 &&
    metadata.primaryColumns.length === 1 &&
    !metadata.discriminatorColumn
  );
}

/** A column whose new value is sent as it is (no geometry function, no generated value). */
function plainColumn(column: ColumnMetadata | undefined): boolean {
  return (
    column !== undefined &&
    !column.isGenerated &&
    column.generatedType === undefined &&
    column.type !== 'geometry' &&
    column.type !== 'geography'
  );
}

const statements = new Map<string, PreparedStatement>();

/**
 * UPDATE … SET the changed columns, version = version + 1, update time =
 * CURRENT_TIMESTAMP WHERE id … RETURNING version and update time: what
 * TypeORM's UpdateQueryBuilder sends for a save, values prepared by the
 * driver as it prepares them, with the returned columns hydrated into the
 * entity as save() does.
 */
async function updatePrepared<E extends ObjectLiteral>(
  manager: EntityManager,
  metadata: EntityMetadata,
  entity: E,
  columns: ColumnMetadata[],
): Promise<void> {
  const { driver } = manager.dataSource;
  const [primary] = metadata.primaryColumns;
  const returned = [metadata.versionColumn, metadata.updateDateColumn].filter(
    (column): column is ColumnMetadata => column !== undefined,
  );
  const key = `${metadata.tablePath}:${columns.map((column) => column.databaseName).join(',')}`;
  let statement = statements.get(key);
  if (!statement) {
    const name = (column: ColumnMetadata) => driver.escape(column.databaseName);
    const sets = columns.map((column, index) => `${name(column)} = $${index + 1}`);
    if (metadata.versionColumn) {
      sets.push(`${name(metadata.versionColumn)} = ${name(metadata.versionColumn)} + 1`);
    }
    if (metadata.updateDateColumn)
      sets.push(`${name(metadata.updateDateColumn)} = CURRENT_TIMESTAMP`);
    const table = escapedTable(manager.dataSource, metadata);
    const returning = returned.length > 0 ? ` RETURNING ${returned.map(name).join(', ')}` : '';
    statement = preparedStatement(
      'nexus_update',
      `UPDATE ${table} SET ${sets.join(', ')} WHERE ${name(primary)} = $${columns.length + 1}${returning}`,
    );
    statements.set(key, statement);
  }
  const values = columns.map(
    (column): unknown =>
      driver.preparePersistentValue(column.getEntityValue(entity), column) as unknown,
  );
  values.push(driver.preparePersistentValue(primary.getEntityValue(entity), primary));
  const [row] = await runPrepared(manager.dataSource, manager.queryRunner, statement, values);
  if (!row) throw new Error(`${metadata.name} ${String(primary.getEntityValue(entity))} vanished`);
  for (const column of returned) {
    column.setEntityValue(entity, driver.prepareHydratedValue(row[column.databaseName], column));
  }
}
