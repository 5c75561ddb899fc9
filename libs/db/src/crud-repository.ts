import type { DataSource, EntityTarget } from 'typeorm';
import type { Aggregate } from './aggregate';
import { AggregateStore } from './aggregate-store';
import type { BaseEntity } from './base.entity';
import type { PageTokenCodec } from './page-token';

/**
 * The generic CRUD every service builds on (create, get, list with filters,
 * update, soft/hard delete, exists, count, with idempotent create, keyset
 * pages, etag checks and one outbox event per committed change) is the
 * aggregate store of a table without child rows: the same write path, with
 * nothing to hydrate.
 */
export class CrudRepository<E extends BaseEntity> extends AggregateStore<E> {
  constructor(
    dataSource: DataSource,
    target: EntityTarget<E>,
    aggregate: Aggregate<E>,
    pageTokens: PageTokenCodec,
    /** The resource name used in NOT_FOUND messages, e.g. `user`. */
    resourceName: string = aggregate.name,
  ) {
    super(dataSource, target, aggregate, pageTokens, { resourceName });
  }
}
