import {
  type QueryFailedError,
  type DataSource,
  type EntityManager,
  type EntityMetadata,
  type EntityTarget,
  type FindOneOptions,
  type FindOptionsWhere,
  type ObjectLiteral,
} from 'typeorm';
import type { Alias } from 'typeorm/query-builder/Alias';
import { RawSqlResultsToEntityTransformer } from 'typeorm/query-builder/transformer/RawSqlResultsToEntityTransformer';
import { preparedStatement, runPrepared, type PreparedStatement } from './prepared-query';

export interface ByIdOptions {
  withDeleted: boolean;
  /** A row lock (findOne's `lock` option); needs the manager of a transaction. */
  lock?: FindOneOptions['lock'];
  manager: EntityManager;
}

/** One variant of the read (with or without deleted rows, with or without a lock). */
interface Statement extends PreparedStatement {
  alias: Alias;
  transformer: RawSqlResultsToEntityTransformer;
}

/** Stands for the id while the statement's SQL is generated, to find it among the parameters. */
const PROBE_ID = '00000000-0000-0000-0000-00000000b1d0';

/**
 * Server-side states in which a prepared statement cannot run but a fresh
 * query can: its cached plan outlived a change of a selected column's type
 * (0A000), or the session dropped it (26000).
 */
const STALE_STATEMENT = new Set(['0A000', '26000']);

/**
 * Reads one entity by primary key as `manager.findOne(target, { where: { id },
 * withDeleted, lock })` does, for a fraction of the cost: the SQL TypeORM
 * would send is generated once per variant and run as a named prepared
 * statement (parsed and planned once per connection, not on every call), and
 * the row is hydrated by TypeORM's own transformer, so the entity is the same.
 *
 * It applies only where findOne would do nothing but that one query and the
 * hydration: no eager relations or relation ids, no load listeners
 * or subscribers, no replication. Anywhere else it is findOne.
 */
export class ByIdReader<E extends ObjectLiteral & { id: string }> {
  private readonly metadata: EntityMetadata;
  private readonly statements = new Map<string, Statement | null>();
  private readonly eligible: boolean;

  constructor(
    private readonly dataSource: DataSource,
    private readonly target: EntityTarget<E>,
  ) {
    this.metadata = dataSource.getMetadata(target);
    const { metadata } = this;
    this.eligible =
      dataSource.options.type === 'postgres' &&
      !dataSource.options.replication &&
      metadata.eagerRelations.length === 0 &&
      metadata.relationIds.length === 0 &&
      metadata.afterLoadListeners.length === 0 &&
      metadata.primaryColumns.length === 1 &&
      metadata.primaryColumns[0]?.propertyName === 'id' &&
      !metadata.discriminatorColumn;
  }

  async findById(id: string, options: ByIdOptions): Promise<E | null> {
    return (await this.read(id, options, false))?.entity ?? null;
  }

  /**
   * As findById, with a second, separate copy of the row as read (its JSON
   * values and dates are copies too): the state a save() diffs the changed
   * entity against, which save() would otherwise load again. No copy when
   * the read went through findOne.
   */
  async findWithCopy(id: string, options: ByIdOptions): Promise<{ entity: E; copy?: E } | null> {
    return this.read(id, options, true);
  }

  private async read(
    id: string,
    options: ByIdOptions,
    withCopy: boolean,
  ): Promise<{ entity: E; copy?: E } | null> {
    const statement = this.statementFor(options);
    const runner = options.manager.queryRunner;
    if (
      !statement ||
      this.dataSource.subscribers.length > 0 ||
      (options.lock !== undefined && !runner?.isTransactionActive)
    ) {
      const entity = await this.findOne(id, options);
      return entity && { entity };
    }
    let rows: Record<string, unknown>[];
    try {
      rows = await runPrepared(this.dataSource, runner, statement, [id]);
    } catch (error) {
      // Outside a transaction nothing is aborted by the failure: findOne can answer.
      const code = ((error as QueryFailedError).driverError as { code?: string } | undefined)?.code;
      if (!runner && code !== undefined && STALE_STATEMENT.has(code)) {
        const entity = await this.findOne(id, options);
        return entity && { entity };
      }
      throw error;
    }
    if (rows.length === 0) return null;
    const hydrate = (raw: Record<string, unknown>[]) =>
      statement.transformer.transform(raw, statement.alias)[0] as E | undefined;
    const entity = hydrate(rows);
    if (!entity) return null;
    if (!withCopy) return { entity };
    const copies = rows.map(copyRow);
    const complete = copies.every((row) => row !== undefined);
    return complete ? { entity, copy: hydrate(copies) } : { entity };
  }

  private findOne(id: string, options: ByIdOptions): Promise<E | null> {
    return options.manager.findOne(this.target, {
      where: { id } as FindOptionsWhere<E>,
      withDeleted: options.withDeleted,
      ...(options.lock ? { lock: options.lock } : {}),
    });
  }

  private statementFor(options: ByIdOptions): Statement | null {
    if (!this.eligible) return null;
    const key = `${options.withDeleted ? 'all' : 'live'}:${options.lock ? JSON.stringify(options.lock) : ''}`;
    let statement = this.statements.get(key);
    if (statement === undefined) {
      statement = this.prepare(options);
      this.statements.set(key, statement);
    }
    return statement;
  }

  /** The SQL findOne would send for these options, with the id as its one parameter. */
  private prepare(options: ByIdOptions): Statement | null {
    const qb = this.dataSource.createQueryBuilder(this.target, this.metadata.name).setFindOptions({
      where: { id: PROBE_ID } as FindOptionsWhere<E>,
      withDeleted: options.withDeleted,
      take: 1,
      ...(options.lock ? { lock: options.lock } : {}),
    });
    // getOne() marks the query as loading entities before it builds the SQL.
    qb.expressionMap.queryEntity = true;
    const [text, parameters] = qb.getQueryAndParameters();
    const alias = qb.expressionMap.mainAlias;
    if (parameters.length !== 1 || parameters[0] !== PROBE_ID || !alias) return null;
    return {
      ...preparedStatement('nexus_by_id', text),
      alias,
      transformer: new RawSqlResultsToEntityTransformer(
        qb.expressionMap,
        this.dataSource.driver,
        [],
      ),
    };
  }
}

/** Marks a value copyValue cannot copy faithfully (a class instance of some pg type parser). */
const UNCOPYABLE = Symbol('uncopyable');

/** A raw row whose values share nothing with the original (pg parses JSON to objects), if it can. */
function copyRow(row: Record<string, unknown>): Record<string, unknown> | undefined {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(row)) {
    const value = copyValue(row[key]);
    if (value === UNCOPYABLE) return undefined;
    copy[key] = value;
  }
  return copy;
}

function copyValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (value instanceof Date) return new Date(value.getTime());
  if (Array.isArray(value)) {
    const items = value.map(copyValue);
    return items.includes(UNCOPYABLE) ? UNCOPYABLE : items;
  }
  // Parsed JSON: plain objects all the way down. (Not structuredClone: TypeORM
  // compares JSON values by constructor too, and a clone made in another realm fails that.)
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return UNCOPYABLE;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const copied = copyValue(item);
    if (copied === UNCOPYABLE) return UNCOPYABLE;
    copy[key] = copied;
  }
  return copy;
}

const readers = new WeakMap<
  DataSource,
  Map<EntityTarget<ObjectLiteral>, ByIdReader<{ id: string }>>
>();

/**
 * One row by id, as `manager.findOne(target, { where: { id }, withDeleted,
 * lock })` answers it, read with the kit's prepared by-id statement: for a
 * service that reads another aggregate's row in its own rule (the project
 * of a task, locked FOR SHARE while the task is written).
 */
export async function readById<E extends ObjectLiteral & { id: string }>(
  manager: EntityManager,
  target: EntityTarget<E>,
  id: string,
  options: { withDeleted?: boolean; lock?: FindOneOptions['lock'] } = {},
): Promise<E | null> {
  const { dataSource } = manager;
  let byTarget = readers.get(dataSource);
  if (!byTarget) {
    byTarget = new Map();
    readers.set(dataSource, byTarget);
  }
  let reader = byTarget.get(target) as ByIdReader<E> | undefined;
  if (!reader) {
    reader = new ByIdReader(dataSource, target);
    byTarget.set(target, reader);
  }
  return reader.findById(id, {
    manager,
    withDeleted: options.withDeleted ?? false,
    ...(options.lock ? { lock: options.lock } : {}),
  });
}
