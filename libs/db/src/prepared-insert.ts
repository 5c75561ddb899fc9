import type { EntityManager, EntityMetadata, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import {
  canPrepare,
  escapedTable,
  preparedStatement,
  runPrepared,
  type PreparedStatement,
} from './prepared-query';

const statements = new Map<string, PreparedStatement>();

/**
 * `manager.insert(target, entity)` for a new aggregate root, as a named
 * prepared statement (one per set of columns the entity leaves to their
 * defaults), so neither TypeORM nor the server builds the INSERT again on
 * every create: the same columns, DEFAULT for a value left undefined,
 * version 1, and the columns TypeORM reads back (defaults, create and
 * update times, version) hydrated into the entity as insert() does. Where
 * TypeORM would do more (insert listeners, subscribers, a relation set on
 * the entity, a value given as an SQL function), it is insert().
 */
export async function insertRoot<E extends ObjectLiteral>(
  manager: EntityManager,
  metadata: EntityMetadata,
  entity: E,
): Promise<void> {
  if (!insertable(manager, metadata, entity)) {
    await manager.insert(metadata.target, entity);
    return;
  }
  const { driver } = manager.dataSource;
  // As insert(): every insertable column but an auto-increment one; a value
  // left undefined is the column's DEFAULT, and a new row's version is 1.
  const columns = metadata.columns.filter(
    (column) =>
      column.isInsert && !(column.isGenerated && column.generationStrategy === 'increment'),
  );
  const expressionOf = (column: ColumnMetadata): 'value' | 'DEFAULT' | '1' => {
    if (column.getEntityValue(entity) !== undefined) return 'value';
    return column.isVersion ? '1' : 'DEFAULT';
  };
  const expressions = columns.map(expressionOf);
  const key = `${metadata.tablePath}:${expressions.join(',')}`;
  let statement = statements.get(key);
  const returned = metadata.getInsertionReturningColumns();
  if (!statement) {
    const name = (column: ColumnMetadata) => driver.escape(column.databaseName);
    let parameter = 0;
    const sql = expressions.map((expression) =>
      expression === 'value' ? `$${(parameter += 1)}` : expression,
    );
    const table = escapedTable(manager.dataSource, metadata);
    const returning = returned.length > 0 ? ` RETURNING ${returned.map(name).join(', ')}` : '';
    statement = preparedStatement(
      'nexus_insert',
      `INSERT INTO ${table} (${columns.map(name).join(', ')}) VALUES (${sql.join(', ')})${returning}`,
    );
    statements.set(key, statement);
  }
  const values = columns
    .filter((_column, index) => expressions[index] === 'value')
    .map(
      (column): unknown =>
        driver.preparePersistentValue(column.getEntityValue(entity), column) as unknown,
    );
  const [row] = await runPrepared(manager.dataSource, manager.queryRunner, statement, values);
  if (!row) return;
  for (const column of returned) {
    column.setEntityValue(entity, driver.prepareHydratedValue(row[column.databaseName], column));
  }
}

/** Where insert() would send exactly the one INSERT insertRoot sends. */
function insertable(
  manager: EntityManager,
  metadata: EntityMetadata,
  entity: ObjectLiteral,
): boolean {
  return (
    canPrepare(manager.dataSource) &&
    manager.queryRunner !== undefined &&
    metadata.beforeInsertListeners.length === 0 &&
    metadata.afterInsertListeners.length === 0 &&
    !metadata.discriminatorColumn &&
    !metadata.treeType &&
    metadata.relations.every((relation) => relation.getEntityValue(entity) === undefined) &&
    metadata.columns.every(
      (column) =>
        typeof column.getEntityValue(entity) !== 'function' &&
        column.type !== 'geometry' &&
        column.type !== 'geography',
    )
  );
}
