import type { DataSource, EntityManager } from 'typeorm';
import { queryPrepared } from '@nexus/db';

/**
 * Who has been deleted, as comms learns it from the users service's events
 * (user-events.consumer.ts): their mail and messages stay, marked. Whether a
 * user exists and is active now is asked of the users service through the
 * kit's UserDirectory instead.
 */
export class DeletedUsers {
  constructor(private readonly dataSource: DataSource) {}

  /** Which of `ids` belong to deleted users. */
  async among(
    ids: Iterable<string>,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Set<string>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Set();
    // Asked for every message and email returned, writes included: a prepared statement.
    const rows = await queryPrepared<{ user_id: string }>(
      manager,
      `SELECT user_id FROM "comms"."deleted_users" WHERE user_id = ANY($1::uuid[])`,
      [unique],
    );
    return new Set(rows.map((row) => row.user_id));
  }
}
