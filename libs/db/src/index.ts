// Data access for every service: data sources per schema, base columns, the
// aggregate store (CrudRepository is its simplest case), keyset pagination,
// transactions that write the outbox.
export {
  defineAggregate,
  changedFields,
  type Aggregate,
  type EmittedEvent,
  type EventObserver,
  type JsonObject,
  type JsonValue,
} from './aggregate';
export { BaseEntity, SoftDeletableEntity, etagOf } from './base.entity';
export { checkEtag, etagMismatch } from './etag';
export {
  EPHEMERAL_EVENTS,
  EVENT_TYPE,
  EVENT_VERB,
  NAME_SEGMENT,
  PLATFORM_EVENTS,
  PLATFORM_RESOURCES,
  STANDARD_VERBS,
  VERB_RESOURCES,
  eventResource,
  eventType,
  platformEventTypes,
} from './event-type';
export {
  AggregateStore,
  type AggregateChange,
  type AggregateRemoval,
  type AggregateStoreOptions,
  type Applying,
  type Hydrate,
  type ListQuery,
  type ReadOptions,
  type SortOrder,
} from './aggregate-store';
export { CrudRepository } from './crud-repository';
export {
  createDataSource,
  guardPoolConnections,
  type DataSourceOptions,
  type EntityClass,
  type MigrationClass,
} from './data-source';
export {
  KIT_ENTITIES,
  ChangeLogEntry,
  OutboxEvent,
  ProcessedEvent,
  RequestIdRecord,
  outboxChannel,
} from './kit-tables.entity';
export { KitTablesV1Migration } from './kit-tables.migration';
export { KitTablesV2Migration } from './kit-tables-v2.migration';
export { KitTablesV3Migration } from './kit-tables-v3.migration';
export { KitTablesV4Migration } from './kit-tables-v4.migration';
export { claimRequestId, claimRequestIds, requestIdReused } from './request-claim';
export {
  migrate,
  migrationState,
  pendingSchemaChanges,
  revert,
  type MigrateOptions,
  type MigrationState,
} from './migrate';
export { PageTokenCodec, type Cursor } from './page-token';
export { readById } from './by-id-reader';
export { queryPrepared } from './prepared-query';
export { type Page } from './pagination';
export { likePrefix } from './like-pattern';
export { withScratchDatabase } from './scratch-database';
export {
  classifyDatabaseError,
  isDatabaseUnavailable,
  isTransactionConflict,
  violatedUniqueConstraint,
} from './pg-errors';
export {
  ROW_WRITE_LOCK,
  Tx,
  inTransaction,
  type ChangeVerb,
  type ResourceChange,
} from './transaction';
export {
  SEARCH_LANGUAGE,
  SearchVectorColumn,
  applySearchLanguage,
  addSearchVector,
  addTrigramIndex,
  createSearchConfiguration,
  dropSearchConfiguration,
  dropSearchVector,
  searchConfiguration,
  searchVectorSql,
  type SearchPart,
  type SearchVectorDefinition,
  type SearchWeight,
} from './search-schema';
export { type SearchHit, type SearchPage, type SearchRequest } from './search-page';
export { emitFromMigration } from './migration-events';
export { changeLogBounds, readChangeLog, type ChangeLogRow, type Queryable } from './change-log';
export { kitTablesMigrations } from './kit-tables-migrations';
export {
  AttemptThrottle,
  attemptCountEntity,
  type AttemptCount,
  type ThrottleKey,
} from './attempt-throttle';
